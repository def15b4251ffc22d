package ai.t2l.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** POST /v1/chat/completions in OpenAI's shapes ("chat.completion" and "chat.completion.chunk"). */
final class ChatCompletionsHandler extends GenerationHandler<List<ChatEngine.Message>> {
    ChatCompletionsHandler(ChatEngine engine, ModelResolver resolver, ServerLimits limits, Gate completions,
            Metrics metrics) {
        super("/v1/chat/completions", engine, resolver, limits, completions, metrics);
    }

    @Override
    protected List<ChatEngine.Message> parseInput(ObjectNode body) {
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw ApiException.badRequest("messages", "'messages' must be a non-empty list of {role, content}");
        }
        List<ChatEngine.Message> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String param = "messages[" + i + "]";
            String role = m.path("role").asText("");
            role = switch (role) {
                case "system", "developer" -> "system"; // "developer" is OpenAI's newer name for system
                case "user", "assistant" -> role;
                default -> throw ApiException.badRequest(param + ".role",
                        "unsupported role '" + role + "'; expected system, developer, user or assistant");
            };
            out.add(new ChatEngine.Message(role, content(m.get("content"), param + ".content")));
        }
        return out;
    }

    /** A string, or a list of {"type":"text","text":...} parts joined; null is allowed for assistant turns. */
    private static String content(JsonNode c, String param) {
        if (c == null || c.isNull()) {
            return "";
        }
        if (c.isTextual()) {
            return c.asText();
        }
        if (c.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : c) {
                if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw ApiException.badRequest(param, "only text content parts are supported");
                }
                sb.append(part.get("text").asText());
            }
            return sb.toString();
        }
        throw ApiException.badRequest(param, "content must be a string or a list of text parts");
    }

    @Override
    protected ChatEngine.Result run(List<ChatEngine.Message> input, ChatEngine.Target target,
            ChatEngine.Options options, ChatEngine.TokenSink sink) {
        return engine.chat(input, target, options, sink);
    }

    @Override
    protected String inputField() {
        return "messages";
    }

    @Override
    protected String idPrefix() {
        return "chatcmpl-";
    }

    @Override
    protected ObjectNode response(Meta meta, String text, String finishReason) {
        ObjectNode o = envelope(meta, "chat.completion");
        ObjectNode choice = o.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", text);
        message.putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        return o;
    }

    @Override
    protected ObjectNode chunk(Meta meta, String delta, String finishReason, boolean first) {
        ObjectNode o = envelope(meta, "chat.completion.chunk");
        ObjectNode choice = o.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode d = choice.putObject("delta");
        if (first) {
            d.put("role", "assistant");
        }
        if (delta != null) {
            d.put("content", delta);
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        return o;
    }
}
