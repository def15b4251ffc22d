package ai.t2l.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A server-sent event stream as OpenAI sends it: {@code data: {json}\n\n} per chunk, {@code data: [DONE]} at the
 * end. Each event is flushed at once; a failed write means the client went away, which {@link #send} reports by
 * returning false so the engine can be cancelled.
 */
final class SseStream {
    private final OutputStream out;
    private boolean broken;

    SseStream(Exchange ex) throws IOException {
        ex.setResponseHeader("Content-Type", "text/event-stream; charset=utf-8");
        ex.setResponseHeader("Cache-Control", "no-cache");
        ex.setResponseHeader("X-Accel-Buffering", "no"); // keep reverse proxies from buffering the stream
        ex.sendResponseHeaders(200, 0); // 0: chunked, length unknown
        this.out = ex.getResponseBody();
    }

    boolean send(JsonNode event) {
        try {
            return write(Exchanges.JSON.writeValueAsString(event));
        } catch (IOException e) {
            broken = true;
            return false;
        }
    }

    void done() {
        write("[DONE]");
    }

    boolean broken() {
        return broken;
    }

    private boolean write(String data) {
        if (broken) {
            return false;
        }
        try {
            out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return true;
        } catch (IOException e) {
            broken = true;
            return false;
        }
    }
}
