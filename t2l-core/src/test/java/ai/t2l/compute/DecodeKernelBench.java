package ai.t2l.compute;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Not a test: a paired microbenchmark of the skinny (decode) kernels on real base-model shapes, the products as
 * {@link PackedMatrix#multiply} runs them (activations prepared, output rows split over {@link ComputePool}) but
 * without the engine around them. Each call takes the next of several distinct matrices (over 400 MB in all), so the
 * weights come from memory, not from L3, as in a decode step. Kinds alternate round by round in one JVM, so that a
 * shared machine's load hits them alike. Run with the test classpath:
 * {@code java --add-modules jdk.incubator.vector -cp CP ai.t2l.compute.DecodeKernelBench rounds kinds shapes batches},
 * e.g. {@code 5 int8,bf16 14336x4096,9216x2304,2304x9216 1,8} (kinds int8dot and bf16dot: {@code --products}'s
 * forms, {@link Int8Rows} and {@link Bf16Rows#dot}, with {@code -Dt2l.native.bf16dot=LIBRARY}). Prints GB/s of weights read (and GFMA/s). For an
 * old/new pair of kernels, run it from two worktrees in alternation (issue 15's fourth round used a copy of commit
 * 619be06's kernels as kind "int8old": {@code git show 1ea8c56:t2l-core/src/test/java/ai/t2l/compute/...}).
 */
public final class DecodeKernelBench {
    private DecodeKernelBench() {}

    /** Weights of at least this many bytes per kind and shape, in distinct matrices. */
    private static final long BYTES = Long.getLong("bench.bytes", 480L << 20);

    public static void main(String[] args) {
        int rounds = Integer.parseInt(args[0]);
        String[] kinds = args[1].split(",");
        String[] shapes = args[2].split(",");
        String[] batches = args[3].split(",");
        SplittableRandom rng = new SplittableRandom(1);
        System.out.println("java " + System.getProperty("java.version") + ", threads " + ComputePool.THREADS);
        for (String shape : shapes) {
            int rows = Integer.parseInt(shape.split("x")[0]);
            int cols = Integer.parseInt(shape.split("x")[1]);
            List<List<PackedMatrix>> sets = new ArrayList<>();
            for (String kind : kinds) {
                sets.add(matrices(kind, rows, cols, rng));
            }
            for (String b : batches) {
                int n = Integer.parseInt(b);
                float[] x = new float[n * cols];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) rng.nextGaussian();
                }
                double[][] gbs = new double[kinds.length][rounds];
                for (int round = 0; round < rounds; round++) {
                    for (int k = 0; k < kinds.length; k++) {
                        gbs[k][round] = run(sets.get(k), x, n);
                    }
                }
                for (int k = 0; k < kinds.length; k++) {
                    StringBuilder sb = new StringBuilder(String.format("%-6s %dx%d n=%d GB/s:", kinds[k], rows, cols, n));
                    double best = 0;
                    for (double v : gbs[k]) {
                        sb.append(String.format(" %.2f", v));
                        best = Math.max(best, v);
                    }
                    double bytesPerWeight = (double) sets.get(k).get(0).bytes() / ((double) rows * cols);
                    sb.append(String.format("  best %.2f GB/s = %.1f GFMA/s", best, best / bytesPerWeight * n));
                    System.out.println(sb);
                }
            }
        }
    }

    static List<PackedMatrix> matrices(String kind, int rows, int cols, SplittableRandom rng) {
        List<PackedMatrix> out = new ArrayList<>();
        long total = 0;
        while (total < BYTES) {
            PackedMatrix m;
            if (kind.startsWith("bf16")) {
                ByteBuffer buf = ByteBuffer.allocateDirect(2 * rows * cols).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < rows * cols; i++) {
                    buf.putShort(2 * i, ai.t2l.io.Half.bf16FromFloat((float) rng.nextGaussian() * 0.02f));
                }
                HalfMatrix h = HalfMatrix.mapped(rows, cols, false, (off, len) -> buf.slice((int) off, (int) len));
                if (kind.equals("bf16dot")) { // the native library from -Dt2l.native.bf16dot
                    h.productPrecision(ProductPrecision.BF16_DOT);
                }
                m = h;
            } else {
                byte[] q = new byte[rows * cols];
                for (int i = 0; i < q.length; i++) {
                    q[i] = (byte) (rng.nextInt(255) - 127);
                }
                float[] s = new float[rows * Int8Matrix.blocks(cols)];
                for (int i = 0; i < s.length; i++) {
                    s[i] = 1e-4f * (1 + rng.nextInt(100));
                }
                Int8Matrix m8 = Int8Matrix.of(rows, cols, q, s, "bench");
                if (kind.equals("int8dot")) { // the native library from -Dt2l.native.bf16dot
                    m8.productPrecision(ProductPrecision.INT8_DOT);
                }
                m = m8;
            }
            out.add(m);
            total += m.bytes();
        }
        return out;
    }

    /** GB/s over about a second of products, cycling through the matrices. */
    private static double run(List<PackedMatrix> ms, float[] x, int n) {
        int rows = (int) ms.get(0).rows();
        long cols = ms.get(0).cols();
        float[] y = new float[n * rows];
        Kernels k = Kernels.best();
        for (PackedMatrix m : ms) { // warm, and pages in
            product(m, k, x, n, y, rows, cols);
        }
        long bytes = 0;
        int i = 0;
        long t0 = now();
        long t;
        do {
            PackedMatrix m = ms.get(i++ % ms.size());
            product(m, k, x, n, y, rows, cols);
            bytes += m.bytes();
            t = now() - t0;
        } while (t < 500_000_000L || i < 3);
        return (double) bytes / t;
    }

    /**
     * With {@code -Dbench.cpu=true}: one thread, timed by its CPU time (the cost of the instructions, which the other
     * processes on a shared machine disturb less than the wall clock; use small matrices, {@code -Dbench.bytes=1}, to
     * measure the kernel in cache).
     */
    private static final boolean CPU = Boolean.getBoolean("bench.cpu");

    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private static long now() {
        return CPU ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    private static void product(PackedMatrix m, Kernels k, float[] x, int n, float[] y, int rows, long cols) {
        Object prepared = m.prepare(x, n);
        if (CPU) {
            m.kernel(k, prepared, x, n, y, 0, rows);
            return;
        }
        m.skinnyProduct(k, prepared, x, n, y);
    }
}
