package ai.t2l.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/** GET /v1/models (the base model, then every adapter the server can serve) and GET /v1/models/{id}. */
final class ModelsHandler extends ApiHandler {
    static final String BASE = "/v1/models";

    private final String baseModel;
    private final long started;
    private final AdapterCache cache;
    private final LoraRegistry loras;

    ModelsHandler(String baseModel, long startedEpochSecond, AdapterCache cache, LoraRegistry loras,
            Metrics metrics) {
        super(metrics);
        this.baseModel = baseModel;
        this.started = startedEpochSecond;
        this.cache = cache;
        this.loras = loras;
    }

    @Override
    protected String route(Exchange ex) {
        String p = ex.rawPath();
        return p.equals(BASE) ? BASE : p.startsWith(BASE + "/") ? BASE + "/{id}" : "other";
    }

    @Override
    protected void serve(Exchange ex) throws IOException {
        requireMethod(ex, "GET");
        String p = ex.rawPath();
        if (p.equals(BASE)) {
            ObjectNode out = Exchanges.JSON.createObjectNode();
            out.put("object", "list");
            ArrayNode data = out.putArray("data");
            data.add(base());
            loras.list().forEach(l -> data.add(lora(l)));
            cache.list().forEach(a -> data.add(adapter(a)));
            Exchanges.sendJson(ex, 200, out);
        } else if (p.startsWith(BASE + "/")) {
            String id = p.substring(BASE.length() + 1);
            // Base model names may hold a slash (org/name), sent percent-encoded: compare the decoded form.
            String decoded = ex.decodedPath().substring(BASE.length() + 1);
            if (decoded.equals(baseModel)) {
                Exchanges.sendJson(ex, 200, base());
                return;
            }
            var lora = loras.get(decoded);
            if (lora.isPresent()) {
                Exchanges.sendJson(ex, 200, lora(lora.get()));
                return;
            }
            AdapterIds.requireValid(id);
            AdapterInfo a = cache.info(id).orElseThrow(() -> ApiException.notFound("model_not_found", "model",
                    "the model '" + id + "' does not exist"));
            Exchanges.sendJson(ex, 200, adapter(a));
        } else {
            throw ApiException.notFound("not_found", null, "no such endpoint: " + p);
        }
    }

    private ObjectNode base() {
        ObjectNode o = Exchanges.JSON.createObjectNode();
        o.put("id", baseModel);
        o.put("object", "model");
        o.put("created", started);
        o.put("owned_by", "t2l");
        return o;
    }

    /** As vLLM lists a LoRA: the name as id, the folder as root, the base model as parent. */
    private ObjectNode lora(LoraRegistry.Loaded l) {
        ObjectNode o = Exchanges.JSON.createObjectNode();
        o.put("id", l.name());
        o.put("object", "model");
        o.put("created", l.created());
        o.put("owned_by", "t2l");
        o.put("root", l.path().toString());
        o.put("parent", baseModel);
        return o;
    }

    private ObjectNode adapter(AdapterInfo a) {
        ObjectNode o = Exchanges.JSON.createObjectNode();
        o.put("id", a.id());
        o.put("object", "model");
        o.put("created", a.created());
        o.put("owned_by", "t2l");
        o.put("parent", baseModel);
        o.put("description", a.description());
        return o;
    }
}
