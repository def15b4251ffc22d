package ai.t2l.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A server-sent event stream as OpenAI sends it: {@code data: {json}\n\n} per chunk, {@code data: [DONE]} at the
 * end. Each event is flushed at once; a failed write means the client went away, which {@link #send} reports by
 * returning false so the engine can be cancelled.
 *
 * <p>A late stream ({@link #late}) sends its headers and opening event only with the first real event, so a failure
 * before it (an upstream engine that cannot be reached) is still answered with its HTTP status.
 */
final class SseStream {
    private final Exchange ex;
    private JsonNode opening; // non-null until sent, for a late stream
    private OutputStream out;
    private boolean broken;

    /** Sends the headers and {@code opening} now. */
    SseStream(Exchange ex, JsonNode opening) throws IOException {
        this.ex = ex;
        open();
        send(opening);
    }

    private SseStream(Exchange ex, JsonNode opening, boolean late) {
        this.ex = ex;
        this.opening = opening;
    }

    /** Sends nothing until the first {@link #send} or {@link #done}, which sends headers and {@code opening} first. */
    static SseStream late(Exchange ex, JsonNode opening) {
        return new SseStream(ex, opening, true);
    }

    /** Whether the headers went out: after that, errors can only be reported in-band. */
    boolean opened() {
        return out != null;
    }

    private void open() throws IOException {
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
            if (out == null) {
                open();
                JsonNode first = opening;
                opening = null;
                if (first != null && !write(Exchanges.JSON.writeValueAsString(first))) {
                    return false;
                }
            }
            out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return true;
        } catch (IOException e) {
            broken = true;
            return false;
        }
    }
}
