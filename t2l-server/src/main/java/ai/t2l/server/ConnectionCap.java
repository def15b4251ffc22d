package ai.t2l.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.io.SelectorManager;

/**
 * At most {@code max} open connections. One more is answered at once with a 503 in the API's JSON error shape and
 * closed, so a client sees why instead of hanging in the accept queue (Jetty's own NetworkConnectionLimit stops
 * accepting instead, which looks like a dead server).
 */
final class ConnectionCap implements SelectorManager.AcceptListener {
    private final int max;
    private final Set<SelectableChannel> open = ConcurrentHashMap.newKeySet();
    private final byte[] refusal;

    ConnectionCap(int max) {
        this.max = max;
        byte[] body = Exchanges.errorJson(ApiException.unavailable("the server has its maximum of " + max
                + " open connections; retry later"));
        String head = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n";
        ByteBuffer b = ByteBuffer.allocate(head.length() + body.length);
        b.put(head.getBytes(StandardCharsets.US_ASCII)).put(body);
        this.refusal = b.array();
    }

    @Override
    public void onAccepting(SelectableChannel channel) {
        boolean admitted;
        synchronized (this) {
            admitted = open.size() < max && open.add(channel);
        }
        if (!admitted) {
            refuse(channel);
        }
    }

    @Override
    public void onAcceptFailed(SelectableChannel channel, Throwable cause) {
        open.remove(channel);
    }

    @Override
    public void onClosed(SelectableChannel channel) {
        open.remove(channel);
    }

    int openConnections() {
        return open.size();
    }

    /** A fresh socket's send buffer takes these few hundred bytes in one write; then Jetty sees it closed. */
    private void refuse(SelectableChannel channel) {
        try (SelectableChannel c = channel) {
            if (c instanceof SocketChannel s) {
                s.write(ByteBuffer.wrap(refusal));
                s.shutdownOutput();
            }
        } catch (IOException ignored) {
            // the client is gone already
        }
    }
}
