package ai.t2l.server;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Graceful shutdown: counts requests in flight so that stop() can refuse new ones (503) while letting those running
 * finish, and only then close the connections.
 */
final class Drain {
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object lock = new Object();
    private volatile boolean draining;

    /** False once draining: the caller answers 503. Otherwise the caller must call {@link #exit()} when done. */
    boolean enter() {
        inFlight.incrementAndGet();
        if (draining) {
            exit();
            return false;
        }
        return true;
    }

    void exit() {
        if (inFlight.decrementAndGet() == 0) {
            synchronized (lock) {
                lock.notifyAll();
            }
        }
    }

    /** Refuses new requests from now on and waits up to {@code grace} for those in flight; true if all finished. */
    boolean drain(Duration grace) {
        draining = true;
        long deadline = System.nanoTime() + grace.toNanos();
        synchronized (lock) {
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return inFlight.get() == 0;
    }

    int inFlight() {
        return inFlight.get();
    }
}
