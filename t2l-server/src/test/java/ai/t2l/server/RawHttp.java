package ai.t2l.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** Exact bytes over a loopback socket, for requests no well-behaved client sends (raw Host, broken framing). */
final class RawHttp {
    private RawHttp() {}

    /** The status code and body of a raw response; status -1 when the server closed without answering. */
    record Answer(int status, String head, String body) {}

    /** Sends {@code request} and reads the answer until the server closes (requests here say Connection: close). */
    static Answer exchange(int port, String request) {
        try (Socket sock = new Socket("127.0.0.1", port)) {
            sock.setSoTimeout(30_000); // a hang fails the test instead of stopping the build
            try {
                sock.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                sock.getOutputStream().flush();
            } catch (IOException e) {
                // the server may answer and close before reading everything (e.g. 431): read what it said
            }
            return parse(readAll(sock.getInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server neither answered nor closed within 30 s; got so far: "
                    + out.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // a reset after the answer: keep what arrived
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static Answer parse(String all) {
        if (all.isEmpty()) {
            return new Answer(-1, "", "");
        }
        int end = all.indexOf("\r\n\r\n");
        String head = end < 0 ? all : all.substring(0, end);
        String body = end < 0 ? "" : all.substring(end + 4);
        String[] status = head.split(" ", 3);
        return new Answer(Integer.parseInt(status[1]), head, body);
    }
}
