package ai.t2l.server;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;

/**
 * One request and its answer as the endpoint handlers see it: the body is already read (by {@link HttpFront}, without
 * holding a thread while it arrives), the answer is written with blocking writes from a worker thread. The method
 * names follow the JDK's {@code Exchange}, which the handlers were first written against.
 */
final class Exchange {
    private final Request request;
    private final Response response;
    private final Callback callback;
    private final byte[] body;
    private int status = -1;
    private boolean lastWritten;
    private boolean closed;

    Exchange(Request request, Response response, Callback callback, byte[] body) {
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.body = body;
    }

    String getRequestMethod() {
        return request.getMethod();
    }

    /** The path as sent, still percent-encoded, so "%2F" can never become a separator. */
    String rawPath() {
        return request.getHttpURI().getPath();
    }

    /** The path percent-decoded (for base model names such as org/name sent as org%2Fname). */
    String decodedPath() {
        String d = request.getHttpURI().getDecodedPath();
        return d == null ? rawPath() : d;
    }

    String requestHeader(String name) {
        return request.getHeaders().get(name);
    }

    void setResponseHeader(String name, String value) {
        response.getHeaders().put(name, value);
    }

    String remoteAddress() {
        return Request.getRemoteAddr(request);
    }

    InputStream getRequestBody() {
        return new ByteArrayInputStream(body);
    }

    /** The status sent, or -1 before {@link #sendResponseHeaders}. */
    int getResponseCode() {
        return status;
    }

    /**
     * Fixes the status; {@code length} > 0 is the exact body length, 0 means "unknown, stream it" (chunked) and -1
     * means no body (as in Exchange). Headers go out with the first write.
     */
    void sendResponseHeaders(int status, long length) {
        if (this.status >= 0) {
            throw new IllegalStateException("response headers already sent");
        }
        this.status = status;
        response.setStatus(status);
        if (length > 0) {
            response.getHeaders().put("Content-Length", Long.toString(length));
        } else if (length < 0) {
            response.getHeaders().put("Content-Length", "0");
        }
    }

    /** A stream whose every write goes to the client at once (server-sent events depend on that). */
    OutputStream getResponseBody() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (len > 0) {
                    Exchange.this.write(false, ByteBuffer.wrap(b, off, len));
                }
            }

            @Override
            public void close() throws IOException {
                finish();
            }
        };
    }

    /** Status, content type and the whole body in one write. */
    void sendWhole(int status, String contentType, byte[] bytes) throws IOException {
        setResponseHeader("Content-Type", contentType);
        sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        write(true, ByteBuffer.wrap(bytes));
    }

    private void write(boolean last, ByteBuffer buf) throws IOException {
        if (lastWritten) {
            throw new IOException("response already complete");
        }
        if (status < 0) {
            sendResponseHeaders(200, 0);
        }
        lastWritten = last;
        try (Blocker.Callback cb = Blocker.callback()) {
            response.write(last, buf, cb);
            cb.block();
        }
    }

    private void finish() throws IOException {
        if (!lastWritten) {
            write(true, ByteBuffer.allocate(0));
        }
    }

    /** Completes the exchange whatever happened; a response never written is aborted (the connection closes). */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (status < 0) {
            callback.failed(new IOException("no response was written"));
            return;
        }
        try {
            finish();
            callback.succeeded();
        } catch (IOException | RuntimeException e) {
            callback.failed(e);
        }
    }
}
