package ai.t2l.compute;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;

/**
 * Not a test: the measurement behind F32Matrix's row crossover (BENCHMARKS.md, issue 16, "float32 decode
 * products"). In one JVM, alternating, libtorch's {@code Linear.linear} against {@link F32Kernel} reading the same
 * engine array in place, for the §2 Llama shapes at 1, 8, 16 and 128 activation rows, cycling through copies of each
 * weight (>= 128 MB in all) so that each call streams its weight from memory as decode does. Prints per-call medians
 * of wall time and of the calling thread's CPU time, and the weight bandwidth and FLOP rate they imply (from CPU time
 * when run with one engine and one compute thread, as in BENCHMARKS.md). Run after
 * {@code mvn -pl t2l-core -am test-compile} and {@code mvn -pl t2l-core dependency:build-classpath
 * -Dmdep.outputFile=cp.txt}:
 * {@code java --add-modules jdk.incubator.vector -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1
 * -Dt2l.compute.threads=1 -cp t2l-core/target/classes:t2l-core/target/test-classes:$(cat cp.txt)
 * ai.t2l.compute.F32ProductBench [rounds]}
 */
public final class F32ProductBench {
    private F32ProductBench() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int[][] shapes = {{768, 768}, {256, 768}, {2048, 768}, {768, 2048}, {32000, 768}};
        int[] rowCounts = {1, 8, 16, 128};
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        System.out.printf("kernel %s, compute threads %d, load %s%n", F32Kernel.best().getClass().getSimpleName(),
                ComputePool.THREADS, Arrays.toString(os.getSystemLoadAverage() < 0 ? new double[0]
                        : new double[] {os.getSystemLoadAverage()}));
        System.out.println("| out x in | rows | engine ms (CPU ms) | Java ms (CPU ms) | engine GB/s, GFLOP/s | Java GB/s,"
                + " GFLOP/s | max abs diff |" + (ComputePool.THREADS == 1 ? " (rates from thread CPU time)" : ""));
        Random rnd = new Random(42);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            for (int[] sh : shapes) {
                int out = sh[0];
                int in = sh[1];
                float[] wv = new float[out * in];
                for (int i = 0; i < wv.length; i++) {
                    wv[i] = (float) (rnd.nextGaussian() * 0.05);
                }
                // as many copies as make >= 128 MB, used in turn: in decode every weight comes from memory, not
                // from a cache that still holds it from the previous call
                int copies = (int) Math.max(1, (128L << 20) / (4L * out * in));
                NDArray[] ws = new NDArray[copies];
                F32Matrix[] fs = new F32Matrix[copies];
                for (int i = 0; i < copies; i++) {
                    ws[i] = m.create(wv, new Shape(out, in));
                    fs[i] = new F32Matrix(ws[i]);
                }
                NDArray w = ws[0];
                F32Matrix f = fs[0];
                int[] next = {0};
                for (int n : rowCounts) {
                    float[] xv = new float[n * in];
                    for (int i = 0; i < xv.length; i++) {
                        xv[i] = (float) rnd.nextGaussian();
                    }
                    NDArray x = m.create(xv, new Shape(1, n, in));
                    // calls per timing so that one timing is >= ~20 ms of weight streaming
                    int reps = (int) Math.max(3, Math.min(2000, 50e6 / ((double) out * in * Math.max(1, n / 8))));
                    double[][] eng = new double[2][rounds];
                    double[][] jav = new double[2][rounds];
                    float diff = 0;
                    for (int r = -1; r < rounds; r++) { // round -1: JIT and allocator warm-up, not kept
                        double[] e = time(os, reps,
                                () -> Linear.linear(x, ws[next[0]++ % copies], null).singletonOrThrow());
                        int saved = F32Matrix.javaRows;
                        F32Matrix.javaRows = Integer.MAX_VALUE;
                        double[] j = time(os, reps, () -> fs[next[0]++ % copies].multiply(x, null));
                        F32Matrix.javaRows = saved;
                        if (r >= 0) {
                            eng[0][r] = e[0];
                            eng[1][r] = e[1];
                            jav[0][r] = j[0];
                            jav[1][r] = j[1];
                        } else {
                            try (NDArray a = Linear.linear(x, w, null).singletonOrThrow()) {
                                F32Matrix.javaRows = Integer.MAX_VALUE;
                                try (NDArray b = f.multiply(x, null)) {
                                    diff = a.sub(b).abs().max().getFloat();
                                }
                                F32Matrix.javaRows = saved;
                            }
                        }
                    }
                    boolean cpu = ComputePool.THREADS == 1; // then thread CPU time is the whole work's
                    double em = median(eng[cpu ? 1 : 0]);
                    double jm = median(jav[cpu ? 1 : 0]);
                    double gb = 4.0 * out * in / 1e9;
                    double gf = 2.0 * out * in * n / 1e9;
                    System.out.printf("| %d x %d | %d | %.3f (%.3f) | %.3f (%.3f) | %.1f, %.1f | %.1f, %.1f | %.1e |%n",
                            out, in, n, em, median(eng[1]), jm, median(jav[1]), gb / em * 1e3, gf / em * 1e3,
                            gb / jm * 1e3, gf / jm * 1e3, diff);
                    x.close();
                }
                for (NDArray a : ws) {
                    a.close();
                }
            }
        }
    }

    private interface Product {
        NDArray run();
    }

    /**
     * {wall ms, CPU ms} per call, over reps calls. CPU is this thread's (ns resolution): with one engine thread and
     * one compute thread ({@code -Dai.djl.pytorch.num_threads=1 -Dt2l.compute.threads=1}) all the work runs on it,
     * and it stretches far less with other processes' load than wall time does.
     */
    private static double[] time(com.sun.management.OperatingSystemMXBean os, int reps, Product p) {
        java.lang.management.ThreadMXBean tm = ManagementFactory.getThreadMXBean();
        long c0 = tm.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            p.run().close();
        }
        long t1 = System.nanoTime();
        long c1 = tm.getCurrentThreadCpuTime();
        return new double[] {(t1 - t0) / 1e6 / reps, (c1 - c0) / 1e6 / reps};
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
