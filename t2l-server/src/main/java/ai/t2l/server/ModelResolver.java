package ai.t2l.server;

import ai.t2l.lora.LoraWeights;

/** Maps a request's {@code model} to the base model, a cached adapter, or an adapter generated on the fly. */
final class ModelResolver {
    static final String ON_THE_FLY = "t2l:";

    /** {@code adapterId} and {@code weights} are null for the base model. */
    record Resolved(String model, String adapterId, LoraWeights weights) {
        static Resolved of(String model, AdapterCache.Adapter a) {
            return new Resolved(model, a.info().id(), a.weights());
        }
    }

    private final String baseModel;
    private final AdapterCache cache;
    private final int maxDescriptionChars;
    private final LoraRegistry loras;
    private final boolean passUnknown;

    /** @param passUnknown names not known here resolve to themselves (an upstream engine may serve them) */
    ModelResolver(String baseModel, AdapterCache cache, LoraRegistry loras, int maxDescriptionChars,
            boolean passUnknown) {
        this.passUnknown = passUnknown;
        this.baseModel = baseModel;
        this.cache = cache;
        this.loras = loras;
        this.maxDescriptionChars = maxDescriptionChars;
    }

    Resolved resolve(String model) {
        if (model == null || model.isBlank()) {
            throw ApiException.badRequest("model", "missing required field 'model'");
        }
        if (model.equals(baseModel)) {
            return new Resolved(model, null, null);
        }
        if (model.startsWith(ON_THE_FLY)) {
            String d = AdapterIds.checkedDescription(model.substring(ON_THE_FLY.length()), maxDescriptionChars,
                    "model");
            return Resolved.of(model, cache.obtain(d));
        }
        // Only a well-formed id is ever looked up, so a model name can never name a path.
        if (AdapterIds.isValid(model)) {
            var hit = cache.lookup(model);
            if (hit.isPresent()) {
                return Resolved.of(model, hit.get());
            }
        }
        var lora = loras.get(model);
        if (lora.isPresent()) {
            return new Resolved(model, model, lora.get().weights());
        }
        if (passUnknown) {
            return new Resolved(model, null, null);
        }
        throw ApiException.notFound("model_not_found", "model", "the model '" + AdapterIds.abbreviate(model)
                + "' does not exist: use the base model '" + baseModel + "', an adapter id from GET /v1/adapters,"
                + " an adapter loaded by name (GET /v1/models), or 't2l:<task description>' to generate one");
    }
}
