package ai.t2l.compute;

import ai.t2l.io.T2lException;
import java.util.Arrays;
import java.util.concurrent.CyclicBarrier;
import java.util.function.IntToDoubleFunction;

/**
 * What this machine's cores can do, measured rather than taken from a data sheet: the float32 multiply-add rate
 * with every operand in registers (no kernel can beat it) and the rate at which the cores read memory (decode
 * streams its weights at no more). BENCHMARKS-WORKLOADS.md's floors assume one machine's 300 GFLOP/s and 23 GB/s;
 * these numbers give the floors of the machine at hand ({@code t2l bench machine}). Each figure is the median of
 * {@code runs} timings, all threads released together and timed until the last one finishes.
 */
public final class MachinePeaks {
    private static volatile float sink; // keeps every probe's result alive

    private MachinePeaks() {}

    /** "Vector API, 256-bit (8 float lanes)" or "plain Java": the instructions the kernels and these probes use. */
    public static String instructions() {
        PeakProbe p = PeakProbe.best();
        return p == PeakProbe.PLAIN ? "plain Java (no Vector API: scalar fused multiply-adds)"
                : "Vector API, " + 32 * p.lanes() + "-bit (" + p.lanes() + " float lanes)";
    }

    /** Fused multiply-adds per second on {@code threads} threads at once, {@code steps} rounds per thread per run. */
    public static double fmaPerSecond(int threads, long steps, int runs) {
        PeakProbe p = PeakProbe.best();
        check(threads, runs);
        if (steps < 1) {
            throw new T2lException("steps must be at least 1, got " + steps);
        }
        for (int i = 0; i < 300; i++) { // the JIT compiles the whole method, not only its loop (on-stack)
            sink += p.chains(20_000, i);
        }
        double fmas = (double) threads * steps * PeakProbe.CHAINS * p.lanes();
        return fmas / medianSeconds(threads, runs, t -> p.chains(steps, t));
    }

    /**
     * Bytes read per second by {@code threads} threads summing their own slice of one float32 array of
     * {@code bytes} (rounded down to whole floats); it should be several times the last-level cache.
     */
    public static double readBytesPerSecond(int threads, long bytes, int runs) {
        PeakProbe p = PeakProbe.best();
        check(threads, runs);
        long n = bytes / 4;
        if (n < threads || n > Integer.MAX_VALUE - 8) {
            throw new T2lException("the read probe's array must hold between " + threads + " and " + (Integer.MAX_VALUE
                    - 8) + " floats, got " + bytes + " bytes");
        }
        MemoryCheck.Available room = MemoryCheck.Available.ofThisMachine();
        if (4 * n > Math.min(room.heap(), room.memory())) {
            throw new T2lException("the read probe's array of " + MemoryCheck.gb(4 * n) + " does not fit: "
                    + MemoryCheck.gb(room.heap()) + " of Java heap and " + MemoryCheck.gb(room.memory())
                    + " of memory are free (a smaller --read-mib, or more heap through T2L_JAVA_OPTS)");
        }
        float[] a = new float[(int) n];
        Arrays.fill(a, 1f); // every page written before the timings: none can be the kernel's shared zero page
        float[] warm = new float[1 << 16];
        for (int i = 0; i < 2_000; i++) {
            sink += p.sum(warm, i & 7, warm.length);
        }
        return 4.0 * n / medianSeconds(threads, runs, t -> p.sum(a, (int) (n * t / threads),
                (int) (n * (t + 1) / threads)));
    }

    private static void check(int threads, int runs) {
        if (threads < 1 || runs < 1) {
            throw new T2lException("threads and runs must be at least 1, got " + threads + " and " + runs);
        }
    }

    /** The median wall time of {@code runs} runs of {@code work(t)} on threads t = 0 .. threads − 1 at once. */
    private static double medianSeconds(int threads, int runs, IntToDoubleFunction work) {
        double[] s = new double[runs];
        for (int r = 0; r < runs; r++) {
            s[r] = timeOnce(threads, work);
        }
        Arrays.sort(s);
        return s[runs / 2];
    }

    private static double timeOnce(int threads, IntToDoubleFunction work) {
        long[] start = new long[1];
        CyclicBarrier go = new CyclicBarrier(threads, () -> start[0] = System.nanoTime());
        Thread[] ts = new Thread[threads];
        RuntimeException[] failure = new RuntimeException[1];
        for (int t = 0; t < threads; t++) {
            int id = t;
            ts[t] = new Thread(() -> {
                try {
                    go.await();
                    float v = (float) work.applyAsDouble(id);
                    synchronized (ts) {
                        sink += v;
                    }
                } catch (Exception e) {
                    synchronized (ts) {
                        failure[0] = new T2lException("machine probe thread " + id + " failed: " + e, e);
                    }
                }
            }, "t2l-peak-" + t);
            ts[t].start();
        }
        try {
            for (Thread t : ts) {
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new T2lException("interrupted while timing the machine probe", e);
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        return (System.nanoTime() - start[0]) / 1e9;
    }
}
