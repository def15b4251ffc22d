package ai.t2l.compute;

import ai.t2l.io.T2lException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A small fixed pool that splits a product's output rows into one contiguous range per core: decode is bound by
 * the memory bus, and one core alone does not saturate it (12–14 GB/s with one thread, about 17 with two, measured
 * paired on 2026-12-02 with 7 other builds running; docs/WEIGHTS.md). The caller runs the first range itself.
 * Threads: {@code -Dt2l.compute.threads=N} (default: all cores).
 */
final class ComputePool {
    /** Below this many weights a product runs on the calling thread (handing off costs more than it saves). */
    private static final long MIN_PARALLEL_WEIGHTS = 1L << 15;

    static final int THREADS = Math.max(1, Integer.getInteger("t2l.compute.threads",
            Runtime.getRuntime().availableProcessors()));

    private static final ExecutorService POOL = THREADS == 1 ? null : Executors.newFixedThreadPool(THREADS - 1, r -> {
        Thread t = new Thread(r, "t2l-compute");
        t.setDaemon(true);
        return t;
    });

    interface RangeTask {
        void run(int begin, int end);
    }

    private ComputePool() {}

    /** Runs task over [0, total) split into ranges; {@code weights} is the work's size, to skip splitting tiny ones. */
    static void forRange(int total, long weights, RangeTask task) {
        int parts = POOL == null || weights < MIN_PARALLEL_WEIGHTS ? 1 : Math.min(THREADS, total);
        if (parts <= 1) {
            task.run(0, total);
            return;
        }
        List<Future<?>> futures = new ArrayList<>(parts - 1);
        for (int p = 1; p < parts; p++) {
            int b = (int) ((long) total * p / parts);
            int e = (int) ((long) total * (p + 1) / parts);
            futures.add(POOL.submit(() -> task.run(b, e)));
        }
        RuntimeException first = null;
        try {
            task.run(0, (int) ((long) total / parts));
        } catch (RuntimeException e) {
            first = e;
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (first == null) {
                    first = e.getCause() instanceof RuntimeException re ? re
                            : new T2lException("compute kernel failed: " + e.getCause(), e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new T2lException("interrupted while computing a matrix product", e);
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
