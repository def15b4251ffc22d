package ai.t2l.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link HeadProduct} against a double-precision x·Wᵀ + b: any row count (blocks of 32 padded), any feature range
 * (blocks of 8, the last one partial), any width; every (row, feature) delivered exactly once; the vector kernel
 * and the plain-Java one agree. Sizes big enough to split across the compute pool.
 */
class HeadProductTest {
    @ParameterizedTest(name = "m={0} cols={1} features [{2}, {3}) bias={4}")
    @CsvSource({"32, 512, 0, 4096, true", "1, 7, 0, 9, false", "45, 40, 3, 203, true", "64, 33, 16, 5000, false",
            "96, 128, 0, 1031, true"})
    void matchesADoublePrecisionProduct(int m, int cols, int f0, int f1, boolean withBias) {
        SplittableRandom r = new SplittableRandom(m * 31L + cols);
        int features = f1 + 5; // W has rows past f1 that must not be used
        float[] w = new float[features * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian() * 0.05f;
        }
        float[] x = new float[m * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        float[] bias = null;
        if (withBias) {
            bias = new float[features];
            for (int i = 0; i < bias.length; i++) {
                bias[i] = (float) r.nextGaussian();
            }
        }
        FloatBuffer wb = ByteBuffer.allocateDirect(w.length * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        wb.put(0, w);
        for (HeadKernel kernel : new HeadKernel[] {HeadKernel.BEST, HeadKernel.SCALAR}) {
            float[] y = new float[m * features];
            int[] seen = new int[m * features];
            HeadProduct.multiply(kernel, wb, cols, bias, x, m, f0, f1, (j0, nf, i0, rows, blk) -> {
                for (int f = 0; f < nf; f++) {
                    for (int i = 0; i < rows; i++) {
                        y[(i0 + i) * features + j0 + f] = blk[f * HeadProduct.ROWS_PER_BLOCK + i];
                        synchronized (seen) {
                            seen[(i0 + i) * features + j0 + f]++;
                        }
                    }
                }
            });
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < features; j++) {
                    int want = j >= f0 && j < f1 ? 1 : 0;
                    assertEquals(want, seen[i * features + j], kernel + ": times row " + i + " feature " + j + " came");
                    if (want == 0) {
                        continue;
                    }
                    double exact = bias == null ? 0 : bias[j];
                    for (int k = 0; k < cols; k++) {
                        exact += (double) w[j * cols + k] * x[i * cols + k];
                    }
                    double d = Math.abs(exact - y[i * features + j]);
                    assertTrue(d <= 1e-5 * Math.sqrt(cols), kernel + ": row " + i + " feature " + j + ": " + y[i * features + j]
                            + " vs " + exact);
                }
            }
        }
    }
}
