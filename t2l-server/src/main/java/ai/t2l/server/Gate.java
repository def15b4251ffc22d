package ai.t2l.server;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admits at most {@code permits} callers at once and lets at most {@code maxQueued} more wait; anyone beyond is
 * refused with 429 at once, so an overloaded server answers quickly instead of piling up threads.
 */
final class Gate {
    private final String what;
    private final int permits;
    private final int maxQueued;
    private final Semaphore semaphore;
    private final AtomicInteger waiting = new AtomicInteger();

    Gate(String what, int permits, int maxQueued) {
        this.what = what;
        this.permits = permits;
        this.maxQueued = maxQueued;
        this.semaphore = new Semaphore(permits, true);
    }

    /** A held slot; close it to let the next caller in. */
    interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    Permit enter() {
        if (!semaphore.tryAcquire()) {
            if (waiting.incrementAndGet() > maxQueued) {
                waiting.decrementAndGet();
                throw ApiException.busy(what, permits, maxQueued);
            }
            try {
                semaphore.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ApiException.unavailable("the server is shutting down");
            } finally {
                waiting.decrementAndGet();
            }
        }
        return semaphore::release;
    }

    int running() {
        return permits - semaphore.availablePermits();
    }
}
