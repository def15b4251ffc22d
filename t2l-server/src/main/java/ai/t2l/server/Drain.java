package ai.t2l.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Graceful shutdown support. The JDK's HttpServer.stop(delay) on Java 17 always waits the whole delay and cannot stop
 * accepting while letting requests finish, so we count requests in flight ourselves, answer new ones with 503 once
 * draining, and only then stop the HttpServer.
 */
final class Drain {
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;

    HttpHandler wrap(HttpHandler handler) {
        return ex -> {
            inFlight.incrementAndGet();
            try {
                if (draining) {
                    refuse(ex);
                } else {
                    handler.handle(ex);
                }
            } finally {
                inFlight.decrementAndGet();
            }
        };
    }

    /** Refuses new requests from now on and waits up to {@code grace} for those in flight; true if all finished. */
    boolean drain(Duration grace) {
        draining = true;
        long deadline = System.nanoTime() + grace.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return inFlight.get() == 0;
    }

    int inFlight() {
        return inFlight.get();
    }

    private static void refuse(HttpExchange ex) throws IOException {
        try {
            ex.getResponseHeaders().set("Connection", "close");
            Exchanges.sendError(ex, ApiException.unavailable("the server is shutting down"));
        } finally {
            ex.close();
        }
    }
}
