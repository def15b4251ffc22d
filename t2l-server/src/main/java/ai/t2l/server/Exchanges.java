package ai.t2l.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Reading bounded JSON bodies and writing JSON answers and errors on an {@link Exchange}. */
final class Exchanges {
    /** Compact (one line per document, as server-sent events need) and strict about trailing garbage. */
    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Exchanges() {}

    /** The body as a JSON object; 413 past {@code maxBytes} (checked before reading when Content-Length says so). */
    static ObjectNode readJsonObject(Exchange ex, long maxBytes) throws IOException {
        String declared = ex.requestHeader("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > maxBytes) {
                    throw ApiException.tooLarge(maxBytes);
                }
            } catch (NumberFormatException e) {
                throw ApiException.badRequest(null, "invalid Content-Length '" + declared + "'");
            }
        }
        byte[] body = readAtMost(ex.getRequestBody(), maxBytes);
        if (body.length == 0) {
            throw ApiException.malformedJson("the request body is empty; expected a JSON object");
        }
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.malformedJson("the request body is not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        }
        if (!(node instanceof ObjectNode obj)) {
            throw ApiException.malformedJson("the request body must be a JSON object, found " + node.getNodeType());
        }
        return obj;
    }

    /** Reads the whole stream, refusing (413) as soon as it grows past {@code max}: chunked bodies have no length. */
    private static byte[] readAtMost(InputStream in, long max) throws IOException {
        byte[] limited = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
        if (limited.length > max) {
            throw ApiException.tooLarge(max);
        }
        return limited;
    }

    static void sendJson(Exchange ex, int status, JsonNode body) throws IOException {
        send(ex, status, "application/json", JSON.writeValueAsBytes(body));
    }

    static void send(Exchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.sendWhole(status, contentType, body);
    }

    static ObjectNode errorBody(ApiException e) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode err = root.putObject("error");
        err.put("message", e.getMessage());
        err.put("type", e.type);
        err.put("param", e.param);
        err.put("code", e.code);
        return root;
    }

    static byte[] errorJson(ApiException e) {
        try {
            return JSON.writeValueAsBytes(errorBody(e));
        } catch (IOException io) {
            throw new UncheckedIOException(io);
        }
    }

    static void sendError(Exchange ex, ApiException e) throws IOException {
        if (e.status == 413) {
            // The body was not read: do not let the connection be reused for what remains of it.
            ex.setResponseHeader("Connection", "close");
        }
        sendJson(ex, e.status, errorBody(e));
    }
}
