package ai.t2l.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * vLLM's dynamic-LoRA endpoints: POST /v1/load_lora_adapter {lora_name, lora_path} and POST
 * /v1/unload_lora_adapter {lora_name}. As in vLLM they answer 200 with a plain-text success line, and exist only when
 * runtime updates are allowed (vLLM: VLLM_ALLOW_RUNTIME_LORA_UPDATING; here --allow-runtime-lora), since they make the
 * server read folders a client names.
 */
final class LoraAdaptersHandler extends ApiHandler {
    static final String LOAD = "/v1/load_lora_adapter";
    static final String UNLOAD = "/v1/unload_lora_adapter";

    private final LoraRegistry registry;
    private final ServerLimits limits;
    private final boolean allowed;

    LoraAdaptersHandler(LoraRegistry registry, ServerLimits limits, boolean allowed, Metrics metrics) {
        super(metrics);
        this.registry = registry;
        this.limits = limits;
        this.allowed = allowed;
    }

    @Override
    protected String route(Exchange ex) {
        String p = ex.rawPath();
        return p.equals(LOAD) || p.equals(UNLOAD) ? p : "other";
    }

    @Override
    protected void serve(Exchange ex) throws IOException {
        String p = ex.rawPath();
        if (!p.equals(LOAD) && !p.equals(UNLOAD)) {
            throw ApiException.notFound("not_found", null, "no such endpoint: " + p);
        }
        if (!allowed) {
            throw ApiException.notFound("not_found", null, p + " is off: start the server with --allow-runtime-lora"
                    + " (vLLM: VLLM_ALLOW_RUNTIME_LORA_UPDATING=True) to load and unload adapters at run time");
        }
        requireMethod(ex, "POST");
        ObjectNode body = Exchanges.readJsonObject(ex, limits.maxBodyBytes());
        String name = text(body, "lora_name");
        String message;
        if (p.equals(LOAD)) {
            registry.load(name, text(body, "lora_path"));
            message = "Success: LoRA adapter '" + name + "' added successfully.";
        } else {
            registry.unload(name);
            message = "Success: LoRA adapter '" + name + "' removed successfully.";
        }
        Exchanges.send(ex, 200, "text/plain; charset=utf-8", message.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(ObjectNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest(field, "'" + field + "' must be a string");
        }
        return v.asText();
    }
}
