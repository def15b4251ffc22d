package ai.t2l.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** POST /v1/completions (OpenAI's legacy text completions, object "text_completion"), one prompt per request. */
final class CompletionsHandler extends GenerationHandler<String> {
    CompletionsHandler(ChatEngine engine, ModelResolver resolver, ServerLimits limits, Gate completions,
            Metrics metrics) {
        super("/v1/completions", engine, resolver, limits, completions, metrics);
    }

    @Override
    protected String parseInput(ObjectNode body) {
        JsonNode p = body.get("prompt");
        if (p != null && p.isArray() && p.size() == 1) {
            p = p.get(0); // OpenAI allows a list of prompts; one is all we batch per request
        }
        if (p == null || !p.isTextual()) {
            throw ApiException.badRequest("prompt", "'prompt' must be a string (or a list holding one string)");
        }
        return p.asText();
    }

    @Override
    protected ChatEngine.Result run(String prompt, ChatEngine.Target target,
            ChatEngine.Options options, ChatEngine.TokenSink sink) {
        return engine.complete(prompt, target, options, sink);
    }

    @Override
    protected String inputField() {
        return "prompt";
    }

    @Override
    protected String idPrefix() {
        return "cmpl-";
    }

    @Override
    protected ObjectNode response(Meta meta, String text, String finishReason) {
        ObjectNode o = envelope(meta, "text_completion");
        ObjectNode choice = o.putArray("choices").addObject();
        choice.put("text", text);
        choice.put("index", 0);
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        return o;
    }

    @Override
    protected ObjectNode chunk(Meta meta, String delta, String finishReason, boolean first) {
        return response(meta, delta == null ? "" : delta, finishReason);
    }
}
