package ai.t2l.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Run in a JVM of its own by {@link MklVendorDispatchTest}: one float32 product on the engine (libtorch's MKL SGEMM),
 * and its largest error against double-precision sums, relative to the sum of the terms' magnitudes.
 */
public final class MklProbe {
    private MklProbe() {}

    public static void main(String[] args) {
        int m = 96;
        int k = 384;
        int n = 160; // (m, k) · (k, n): large enough that libtorch calls SGEMM, small enough to check in double
        SplittableRandom rng = new SplittableRandom(7);
        float[] x = new float[m * k];
        float[] w = new float[k * n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble(-1, 1);
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rng.nextDouble(-1, 1);
        }
        float[] y;
        try (NDManager manager = NDManager.newBaseManager(); NDArray a = manager.create(x, new Shape(m, k));
                NDArray b = manager.create(w, new Shape(k, n)); NDArray product = a.matMul(b)) {
            y = product.toFloatArray();
        }
        double worst = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                double magnitude = 0;
                for (int t = 0; t < k; t++) {
                    double term = (double) x[i * k + t] * w[t * n + j];
                    sum += term;
                    magnitude += Math.abs(term);
                }
                worst = Math.max(worst, Math.abs(y[i * n + j] - sum) / magnitude);
            }
        }
        System.out.printf(Locale.ROOT, "mkl-probe relative error %.3e%n", worst);
    }
}
