package ai.t2l.compute;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.t2l.io.FloatTensor;
import java.util.SplittableRandom;

/**
 * Not a test: a paired microbenchmark of the three product paths of {@link PackedMatrix} (skinny kernels, widened
 * panels, tiles + the engine's GEMM) on gemma-2-2b's MLP shapes, alternating in one JVM so that the shared machine's
 * load hits all of them alike. Run with the test classpath:
 * {@code java --add-modules jdk.incubator.vector -cp CP ai.t2l.compute.PrefillKernelBench [rounds] [rows...]}.
 * Prints GFLOP/s (2·n·rows·cols per product) per path, weight type and activation rows.
 */
public final class PrefillKernelBench {
    private PrefillKernelBench() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int[] ns = {1, 8, 16, 32, 128};
        if (args.length > 1) {
            ns = new int[args.length - 1];
            for (int i = 1; i < args.length; i++) {
                ns[i - 1] = Integer.parseInt(args[i]);
            }
        }
        int[][] shapes = {{9216, 2304}, {2304, 9216}}; // gemma-2-2b gate/up and down
        SplittableRandom rng = new SplittableRandom(1);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            for (int[] sh : shapes) {
                float[] w = new float[sh[0] * sh[1]];
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) rng.nextGaussian() * 0.02f;
                }
                FloatTensor t = new FloatTensor(w, new long[] {sh[0], sh[1]});
                PackedMatrix[] ms = {HalfMatrix.roundedToBf16(t),
                    Int8Matrix.quantize(sh[0], sh[1], (r, dst) -> System.arraycopy(w, r * sh[1], dst, 0, sh[1]))};
                for (PackedMatrix pm : ms) {
                    for (int n : ns) {
                        float[] xs = new float[n * sh[1]];
                        for (int i = 0; i < xs.length; i++) {
                            xs[i] = (float) rng.nextGaussian();
                        }
                        NDArray x = m.create(xs, new Shape(n, sh[1]));
                        String[] paths = {"skinny", "panel", "tiled"};
                        double[][] g = new double[3][rounds];
                        for (int round = 0; round < rounds; round++) {
                            for (int p = 0; p < 3; p++) {
                                g[p][round] = run(pm, x, n, paths[p]);
                            }
                        }
                        StringBuilder sb = new StringBuilder(String.format("%s %dx%d n=%d", pm.storage(), sh[0], sh[1], n));
                        for (int p = 0; p < 3; p++) {
                            sb.append("  ").append(paths[p]).append(':');
                            for (double v : g[p]) {
                                sb.append(String.format(" %.1f", v));
                            }
                        }
                        System.out.println(sb + "  GFLOP/s");
                        x.close();
                    }
                }
            }
        }
    }

    private static double run(PackedMatrix pm, NDArray x, int n, String path) {
        int savedGemm = PackedMatrix.gemmRows;
        int savedHalf = HalfMatrix.PANEL_FROM_HALF;
        int savedInt8 = Int8Matrix.PANEL_FROM_INT8;
        try {
            PackedMatrix.gemmRows = path.equals("tiled") ? 1 : Integer.MAX_VALUE;
            Int8Matrix.TILES_FROM_INT8 = PackedMatrix.gemmRows;
            int from = path.equals("panel") ? 1 : Integer.MAX_VALUE;
            HalfMatrix.PANEL_FROM_HALF = from;
            Int8Matrix.PANEL_FROM_INT8 = from;
            pm.multiply(x, null).close(); // warm
            int reps = 0;
            long t0 = System.nanoTime();
            long t;
            do {
                pm.multiply(x, null).close();
                reps++;
                t = System.nanoTime() - t0;
            } while (t < 1_000_000_000L);
            return 2.0 * n * pm.rows() * pm.cols() * reps / t;
        } finally {
            PackedMatrix.gemmRows = savedGemm;
            HalfMatrix.PANEL_FROM_HALF = savedHalf;
            Int8Matrix.PANEL_FROM_INT8 = savedInt8;
            Int8Matrix.TILES_FROM_INT8 = Integer.MAX_VALUE;
        }
    }
}
