package ai.t2l.compute;

import ai.t2l.io.T2lException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A small fixed pool that splits a product's output rows into one contiguous range per core: decode is bound by
 * the memory bus, and one core alone does not saturate it (12–14 GB/s with one thread, about 17 with two, measured
 * paired on 2026-12-02 with 7 other builds running; docs/WEIGHTS.md). The caller runs the first range itself.
 * Threads: {@code -Dt2l.compute.threads=N} (default: all cores).
 *
 * <p>The hand-off is a published range and a volatile generation count, not an executor: a batch-1 decode step of
 * gemma-2-2b runs 183 products of 0.2–3 ms with engine ops of 0.1–0.5 ms between them, and with an executor the
 * caller reached its range 40–67 µs and the parked worker 100–170 µs after the call, then the caller parked in
 * {@code Future.get} until the worker finished (docs/WEIGHTS.md "Hand-off"). So a worker that has finished waits
 * for the next range by spinning for {@code -Dt2l.compute.spinMicros} (default 1000: the step took 13% less time
 * than with 200) before it parks, and the caller spins, then sleeps in short steps, while the workers finish. A
 * second caller that finds the pool busy (another request, or a product inside a worker's range) runs its whole
 * range on its own thread rather than waiting.
 */
final class ComputePool {
    /** Below this many weights a product runs on the calling thread (handing off costs more than it saves). */
    private static final long MIN_PARALLEL_WEIGHTS = 1L << 15;

    static final int THREADS = Math.max(1, Integer.getInteger("t2l.compute.threads",
            Runtime.getRuntime().availableProcessors()));

    /** How long an idle worker, and a waiting caller, spin before they park (nanoseconds). */
    private static final long SPIN_NANOS = Math.max(0, Long.getLong("t2l.compute.spinMicros", 1000)) * 1000;

    private static final Worker[] WORKERS = new Worker[THREADS - 1];

    /** Held by the one caller whose ranges the workers run. */
    private static final AtomicBoolean BUSY = new AtomicBoolean();

    static {
        for (int i = 0; i < WORKERS.length; i++) {
            WORKERS[i] = new Worker();
            WORKERS[i].start();
        }
    }

    interface RangeTask {
        void run(int begin, int end);
    }

    private ComputePool() {}

    /** Runs task over [0, total) split into ranges; {@code weights} is the work's size, to skip splitting tiny ones. */
    static void forRange(int total, long weights, RangeTask task) {
        int parts = weights < MIN_PARALLEL_WEIGHTS ? 1 : Math.min(THREADS, total);
        if (parts <= 1 || !BUSY.compareAndSet(false, true)) {
            task.run(0, total);
            return;
        }
        try {
            for (int p = 1; p < parts; p++) {
                WORKERS[p - 1].give(task, (int) ((long) total * p / parts), (int) ((long) total * (p + 1) / parts));
            }
            Throwable first = null; // the caller's own, rethrown as it is; a worker's Error is wrapped
            try {
                task.run(0, (int) ((long) total / parts));
            } catch (Throwable t) {
                first = t;
            }
            for (int p = 1; p < parts; p++) { // every worker is awaited before BUSY is released, even after a failure
                Throwable t = WORKERS[p - 1].await();
                if (t != null && first == null) {
                    first = t instanceof RuntimeException ? t : new T2lException("compute kernel failed: " + t, t);
                }
            }
            if (first instanceof RuntimeException re) {
                throw re;
            }
            if (first instanceof Error err) {
                throw err;
            }
        } finally {
            BUSY.set(false);
        }
    }

    /** One pool thread: runs the range it is given, then waits for the next (spinning, then parked). */
    private static final class Worker extends Thread {
        private volatile long generation; // incremented by the caller for each range; publishes the fields below
        private volatile boolean parked;
        private volatile boolean done = true;
        private RangeTask task;
        private int begin;
        private int end;
        private Throwable error;

        Worker() {
            super("t2l-compute");
            setDaemon(true);
        }

        /** Caller side: publish a range (the worker is idle: the caller holds BUSY and awaited the last one). */
        void give(RangeTask t, int b, int e) {
            task = t;
            begin = b;
            end = e;
            error = null;
            done = false;
            generation++; // volatile write after the plain ones: the worker that reads it sees them
            if (parked) { // read after the write above; the worker writes parked before it re-reads generation
                LockSupport.unpark(this);
            }
        }

        /** Caller side: waits for the range to finish; returns what it threw, if anything. */
        Throwable await() {
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (!done) {
                if (System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(20_000);
                }
            }
            return error;
        }

        @Override
        public void run() {
            long seen = 0;
            while (true) {
                long deadline = System.nanoTime() + SPIN_NANOS;
                while (generation == seen) {
                    if (System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    } else {
                        parked = true;
                        if (generation == seen) {
                            LockSupport.park(this);
                        }
                        parked = false;
                    }
                }
                seen = generation;
                try {
                    task.run(begin, end);
                } catch (Throwable t) {
                    error = t;
                }
                task = null;
                done = true; // volatile write: the caller that reads it sees the results and error
            }
        }
    }
}
