package ai.t2l.server;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Closes a streamed upstream answer that sends nothing for {@code limit} between two lines: java.net.http's timeout
 * covers only the wait for the headers, and a stalled upstream would otherwise hold a request thread for good.
 * Closing the stream makes the blocked read fail, and {@link #fired()} tells that failure from a broken connection.
 */
final class StallGuard implements AutoCloseable {
    private static final ScheduledExecutorService TIMER = timer();

    /**
     * One daemon thread for every guard. {@link #progress()} cancels and reschedules once per streamed line, so a
     * cancelled task must leave the queue at once, not linger for the whole limit (the default policy).
     */
    private static ScheduledExecutorService timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "t2l-upstream-stall-guard");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    private final InputStream in;
    private final long limitMs;
    private ScheduledFuture<?> pending;
    private volatile boolean fired;

    StallGuard(InputStream in, Duration limit) {
        this.in = in;
        this.limitMs = limit.toMillis();
        progress();
    }

    /** A line arrived: the limit starts again. */
    synchronized void progress() {
        if (pending != null) {
            pending.cancel(false);
        }
        pending = TIMER.schedule(this::fire, limitMs, TimeUnit.MILLISECONDS);
    }

    boolean fired() {
        return fired;
    }

    private void fire() {
        fired = true;
        try {
            in.close();
        } catch (IOException ignored) {
            // the reader sees the stream closed either way
        }
    }

    @Override
    public synchronized void close() {
        if (pending != null) {
            pending.cancel(false);
        }
    }
}
