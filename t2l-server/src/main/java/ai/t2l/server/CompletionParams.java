package ai.t2l.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The request fields /v1/chat/completions and /v1/completions share, validated with OpenAI's ranges. */
record CompletionParams(String model, ChatEngine.Options options, boolean stream, boolean includeUsage,
        Double loraScale) {
    /** Largest lora_scale accepted: far past any useful strength, but finite. */
    static final double MAX_LORA_SCALE = 10;

    /** OpenAI accepts at most 4 stop sequences. */
    static final int MAX_STOPS = 4;

    /** The fields both endpoints implement; each endpoint adds its input ("messages" or "prompt"). */
    static final Set<String> IMPLEMENTED = Set.of("model", "max_tokens", "max_completion_tokens", "temperature",
            "top_p", "n", "stream", "stream_options", "stop", "seed", "user", "lora_scale");

    /**
     * OpenAI fields we do not implement but accept at their no-op value (clients send some of them by default);
     * any other value of these, and any other field, is refused by name as vLLM does, never silently ignored.
     */
    private static final Map<String, String> NO_OP = Map.of("logprobs", "false", "echo", "false",
            "frequency_penalty", "0", "presence_penalty", "0", "best_of", "1", "tools", "[]", "logit_bias", "{}",
            "top_logprobs", "0");

    /** 400 naming the first field this server would otherwise ignore (issue 10 item 11). */
    static void refuseUnsupported(ObjectNode body, String inputField) {
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String name = f.getKey();
            JsonNode v = f.getValue();
            if (name.equals(inputField) || IMPLEMENTED.contains(name) || v.isNull()) {
                continue;
            }
            String noOp = NO_OP.get(name);
            if (noOp != null && isNoOp(v, noOp)) {
                continue;
            }
            throw new ApiException(400, "invalid_request_error", "unsupported_parameter", name, "'" + name
                    + "' is not supported by this server" + (noOp == null ? "" : " (only " + noOp + " is accepted)")
                    + "; supported: " + inputField + ", " + String.join(", ", IMPLEMENTED.stream().sorted().toList()));
        }
    }

    private static boolean isNoOp(JsonNode v, String noOp) {
        boolean numeric = Character.isDigit(noOp.charAt(0));
        return numeric ? v.isNumber() && v.asDouble() == Double.parseDouble(noOp) : v.toString().equals(noOp);
    }

    static CompletionParams parse(ObjectNode body, ServerLimits limits) {
        JsonNode model = body.get("model");
        if (model != null && !model.isTextual()) {
            throw ApiException.badRequest("model", "'model' must be a string");
        }
        JsonNode n = body.get("n");
        if (n != null && !n.isNull() && !(n.canConvertToInt() && n.asInt() == 1)) {
            throw ApiException.badRequest("n", "only n = 1 is supported, got " + n);
        }
        // Newer OpenAI clients send max_completion_tokens for chat; both mean the same here.
        String tokensField = body.hasNonNull("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        int maxTokens = intField(body, tokensField, limits.defaultMaxTokens());
        if (maxTokens < 1) {
            throw ApiException.badRequest(tokensField, tokensField + " must be at least 1, got " + maxTokens);
        }
        if (maxTokens > limits.maxTokens()) {
            throw ApiException.badRequest(tokensField, tokensField + " is " + maxTokens
                    + " but this server allows at most " + limits.maxTokens());
        }
        double temperature = numberField(body, "temperature", 1.0);
        if (temperature < 0 || temperature > 2) {
            throw ApiException.badRequest("temperature", "temperature must be between 0 and 2, got " + temperature);
        }
        double topP = numberField(body, "top_p", 1.0);
        if (!(topP > 0 && topP <= 1)) {
            throw ApiException.badRequest("top_p", "top_p must be in (0, 1], got " + topP);
        }
        Long seed = null;
        JsonNode s = body.get("seed");
        if (s != null && !s.isNull()) {
            if (!s.isIntegralNumber() || !s.canConvertToLong()) {
                throw ApiException.badRequest("seed", "seed must be an integer, got " + s);
            }
            seed = s.asLong();
        }
        boolean stream = boolField(body, "stream");
        JsonNode so = body.get("stream_options");
        boolean includeUsage = so != null && so.isObject() && so.path("include_usage").asBoolean(false);
        Double loraScale = null;
        if (body.hasNonNull("lora_scale")) {
            double v = numberField(body, "lora_scale", 1.0);
            if (!(v >= 0 && v <= MAX_LORA_SCALE)) {
                throw ApiException.badRequest("lora_scale", "lora_scale must be between 0 and " + MAX_LORA_SCALE
                        + " (1 = the adapter as trained, 0 = the base model), got " + v);
            }
            loraScale = v;
        }
        return new CompletionParams(model == null ? null : model.asText(),
                new ChatEngine.Options(maxTokens, temperature, topP, seed, stops(body.get("stop"))), stream,
                includeUsage, loraScale);
    }

    private static List<String> stops(JsonNode stop) {
        List<String> out = new ArrayList<>();
        if (stop == null || stop.isNull()) {
            return out;
        }
        if (stop.isTextual()) {
            out.add(stop.asText());
        } else if (stop.isArray()) {
            for (JsonNode s : stop) {
                if (!s.isTextual()) {
                    throw ApiException.badRequest("stop", "'stop' must be a string or a list of strings");
                }
                out.add(s.asText());
            }
        } else {
            throw ApiException.badRequest("stop", "'stop' must be a string or a list of strings");
        }
        if (out.size() > MAX_STOPS) {
            throw ApiException.badRequest("stop", "at most " + MAX_STOPS + " stop sequences, got " + out.size());
        }
        if (out.stream().anyMatch(String::isEmpty)) {
            throw ApiException.badRequest("stop", "stop sequences must not be empty");
        }
        return out;
    }

    private static int intField(ObjectNode body, String name, int dflt) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw ApiException.badRequest(name, "'" + name + "' must be an integer, got " + v);
        }
        return v.asInt();
    }

    private static double numberField(ObjectNode body, String name, double dflt) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isNumber()) {
            throw ApiException.badRequest(name, "'" + name + "' must be a number, got " + v);
        }
        return v.asDouble();
    }

    private static boolean boolField(ObjectNode body, String name) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw ApiException.badRequest(name, "'" + name + "' must be true or false, got " + v);
        }
        return v.asBoolean();
    }
}
