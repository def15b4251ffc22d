package ai.t2l.tokenizer;

import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/** One turn of a conversation, as the chat templates see it: {@code {"role": ..., "content": ...}}. */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }

    /** Reads a JSON list of {"role", "content"} objects (both strings, no other fields). */
    public static List<ChatMessage> readList(Path file) {
        return parseList(Json.read(file), file.toString());
    }

    /** Parses a JSON list of messages; {@code source} names where it came from in error messages. */
    public static List<ChatMessage> parseList(JsonNode node, String source) {
        if (!node.isArray()) {
            throw new T2lException(source + ": expected a JSON list of {\"role\", \"content\"} objects, found "
                    + kind(node));
        }
        List<ChatMessage> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode m = node.get(i);
            String where = source + ": message " + i;
            if (!m.isObject()) {
                throw new T2lException(where + ": expected an object {\"role\", \"content\"}, found " + kind(m));
            }
            for (Iterator<String> it = m.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                // tool calls and other fields change what some templates render; we render role/content only
                if (!f.equals("role") && !f.equals("content")) {
                    throw new T2lException(where + ": unknown field '" + f + "' (expected only 'role' and 'content')");
                }
            }
            out.add(new ChatMessage(text(m, "role", where), text(m, "content", where)));
        }
        return out;
    }

    private static String text(JsonNode m, String field, String where) {
        JsonNode v = m.get(field);
        if (v == null) {
            throw new T2lException(where + ": missing field '" + field + "'");
        }
        if (!v.isTextual()) {
            throw new T2lException(where + ": field '" + field + "' should be a string, found " + kind(v));
        }
        return v.asText();
    }

    private static String kind(JsonNode n) {
        return n.getNodeType().name().toLowerCase() + (n.isValueNode() ? " " + n : "");
    }
}
