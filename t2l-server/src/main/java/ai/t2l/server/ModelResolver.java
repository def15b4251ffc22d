package ai.t2l.server;

import ai.t2l.lora.LoraWeights;

/** Maps a request's {@code model} to the base model, a cached adapter, or an adapter generated on the fly. */
final class ModelResolver {
    static final String ON_THE_FLY = "t2l:";

    /** {@code adapter} is null for the base model. */
    record Resolved(String model, AdapterCache.Adapter adapter) {
        LoraWeights weights() {
            return adapter == null ? null : adapter.weights();
        }
    }

    private final String baseModel;
    private final AdapterCache cache;
    private final int maxDescriptionChars;

    ModelResolver(String baseModel, AdapterCache cache, int maxDescriptionChars) {
        this.baseModel = baseModel;
        this.cache = cache;
        this.maxDescriptionChars = maxDescriptionChars;
    }

    Resolved resolve(String model) {
        if (model == null || model.isBlank()) {
            throw ApiException.badRequest("model", "missing required field 'model'");
        }
        if (model.equals(baseModel)) {
            return new Resolved(model, null);
        }
        if (model.startsWith(ON_THE_FLY)) {
            String d = AdapterIds.checkedDescription(model.substring(ON_THE_FLY.length()), maxDescriptionChars,
                    "model");
            return new Resolved(model, cache.obtain(d));
        }
        // Only a well-formed id is ever looked up, so a model name can never name a path.
        if (AdapterIds.isValid(model)) {
            var hit = cache.lookup(model);
            if (hit.isPresent()) {
                return new Resolved(model, hit.get());
            }
        }
        throw ApiException.notFound("model_not_found", "model", "the model '" + AdapterIds.abbreviate(model)
                + "' does not exist: use the base model '" + baseModel + "', an adapter id from GET /v1/adapters,"
                + " or 't2l:<task description>' to generate one");
    }
}
