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
 * {@link HeadProduct} against a double-precision x·Wᵀ + b: any row count (tiles of 8 padded), any feature range
 * (panels of 32, the last one partial), any width; every (row, feature) delivered exactly once; the vector kernel
 * and the plain-Java one agree. Sizes big enough to split across the compute pool.
 */
class HeadProductTest {
    @ParameterizedTest(name = "m={0} cols={1} features [{2}, {3}) bias={4}")
    @CsvSource({"32, 512, 0, 4096, true", "1, 7, 0, 9, false", "45, 40, 3, 203, true", "64, 33, 16, 5000, false",
            "96, 128, 0, 1031, true", "130, 40, 3, 203, true", "512, 128, 0, 517, false"})
    void matchesADoublePrecisionProduct(int m, int cols, int f0, int f1, boolean withBias) {
        SplittableRandom r = new SplittableRandom(m * 31L + cols);
        int features = f1 + 5; // W has rows past f1 that must not be used
        float[] w = gaussian(r, features * cols, 0.05f);
        float[] x = gaussian(r, m * cols, 1f);
        float[] bias = withBias ? gaussian(r, features, 1f) : null;
        FloatBuffer wb = direct(w);
        for (HeadKernel kernel : HeadKernel.available()) {
            float[] y = new float[m * features];
            int[] seen = new int[m * features];
            int[] order = java.util.stream.IntStream.range(f0, f1).toArray();
            HeadProduct packed = HeadProduct.pack(kernel, wb, cols, bias, order, ProductPrecision.F32);
            multiplyCounting(packed, x, m, features, f0, y, seen);
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

    /**
     * The ordered form: any list of weight rows (here a permutation of a subset, with runs that are consecutive and
     * runs that are not), each position delivered exactly once, with y of the row it names and its bias.
     */
    @ParameterizedTest(name = "m={0} cols={1} features={2}")
    @CsvSource({"32, 64, 203", "45, 40, 17", "1, 9, 8"})
    void followsTheGivenFeatureOrder(int m, int cols, int count) {
        SplittableRandom r = new SplittableRandom(m * 7L + count);
        int rowsOfW = count + 11;
        float[] w = gaussian(r, rowsOfW * cols, 0.05f);
        float[] x = gaussian(r, m * cols, 1f);
        float[] bias = gaussian(r, rowsOfW, 1f);
        int[] features = new int[count];
        for (int p = 0; p < count; p++) { // blocks of 8 that are consecutive, then strided ones
            features[p] = p < count / 2 ? p + 3 : (p * 5) % rowsOfW;
        }
        FloatBuffer wb = direct(w);
        for (HeadKernel kernel : HeadKernel.available()) {
            float[] y = new float[m * count];
            int[] seen = new int[m * count];
            HeadProduct packed = HeadProduct.pack(kernel, wb, cols, bias, features, ProductPrecision.F32);
            packed.multiply(x, m, count, (p0, nf, i0, rows, tile) -> {
                for (int f = 0; f < nf; f++) {
                    for (int i = 0; i < rows; i++) {
                        y[(i0 + i) * count + p0 + f] = tile[i * HeadProduct.FEATURES_PER_PANEL + f];
                        synchronized (seen) {
                            seen[(i0 + i) * count + p0 + f]++;
                        }
                    }
                }
            });
            for (int i = 0; i < m; i++) {
                for (int p = 0; p < count; p++) {
                    assertEquals(1, seen[i * count + p], kernel + ": times row " + i + " position " + p + " came");
                    int j = features[p];
                    double exact = bias[j];
                    for (int k = 0; k < cols; k++) {
                        exact += (double) w[j * cols + k] * x[i * cols + k];
                    }
                    double d = Math.abs(exact - y[i * count + p]);
                    assertTrue(d <= 1e-5 * Math.sqrt(cols), kernel + ": row " + i + " position " + p + " (W row " + j
                            + "): " + y[i * count + p] + " vs " + exact);
                }
            }
        }
    }

    /**
     * Every vector kernel that runs on this CPU (512-bit, 256-bit) and the plain-Java one give the same bits (same
     * chain per output: k ascending, one fused multiply-add per step, then + b), and a limit below the packed
     * positions delivers exactly those positions. Tiles of fewer than 8 rows (m = 2, 3, 6, 7 and the last tile of
     * 9 and 13) take the kernels' shorter passes.
     */
    @ParameterizedTest(name = "m={0} cols={1} limit={2} bf16={3}")
    @CsvSource({"32, 512, 70, false", "9, 40, 33, false", "512, 7, 64, false", "32, 512, 70, true", "9, 40, 33, true",
            "13, 7, 100, true", "2, 64, 40, false", "3, 40, 33, false", "6, 129, 70, false", "7, 17, 64, false",
            "13, 7, 100, false"})
    void everyKernelGivesTheSameBitsUpToTheLimit(int m, int cols, int limit, boolean bf16) {
        SplittableRandom r = new SplittableRandom(cols * 3L + m);
        int rowsOfW = 100;
        float[] w = gaussian(r, rowsOfW * cols, 1f);
        float[] x = gaussian(r, m * cols, 1f);
        float[] bias = gaussian(r, rowsOfW, 1f);
        FloatBuffer wb = direct(w);
        int[] order = java.util.stream.IntStream.range(0, rowsOfW).map(j -> rowsOfW - 1 - j).toArray();
        java.util.List<HeadKernel> kernels = HeadKernel.available(); // plain Java last
        float[][] y = new float[kernels.size()][m * rowsOfW];
        for (int q = 0; q < kernels.size(); q++) {
            float[] out = y[q];
            HeadProduct packed = HeadProduct.pack(kernels.get(q), wb, cols, bias, order,
                    bf16 ? ProductPrecision.BF16 : ProductPrecision.F32);
            packed.multiply(x, m, limit, (p0, nf, i0, rows, tile) -> {
                assertTrue(p0 + nf <= limit, "position " + (p0 + nf) + " past the limit " + limit);
                for (int i = 0; i < rows; i++) {
                    System.arraycopy(tile, i * HeadProduct.FEATURES_PER_PANEL, out, (i0 + i) * rowsOfW + p0, nf);
                }
            });
        }
        for (int q = 0; q < kernels.size() - 1; q++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(y[kernels.size() - 1], y[q],
                    kernels.get(q) + " against the plain-Java kernel");
        }
        assertTrue(y[0][(m - 1) * rowsOfW + limit - 1] != 0f, "the last position was not delivered");
    }

    /**
     * bfloat16 panels compute x·Wᵀ + b for W rounded to bfloat16 (nearest even), in float32: against a double
     * product on the rounded weights, the float32 error bound; against the float32 weights, the rounding shows
     * (relative 2^-9 per weight), so the two packings must differ.
     */
    @ParameterizedTest(name = "m={0} cols={1} features={2}")
    @CsvSource({"32, 512, 100", "8, 33, 47", "3, 5, 31"})
    void bf16PanelsMultiplyTheRoundedWeights(int m, int cols, int count) {
        SplittableRandom r = new SplittableRandom(count * 17L + cols);
        float[] w = gaussian(r, count * cols, 0.05f);
        float[] x = gaussian(r, m * cols, 1f);
        float[] bias = gaussian(r, count, 1f);
        FloatBuffer wb = direct(w);
        int[] order = java.util.stream.IntStream.range(0, count).toArray();
        HeadProduct packed = HeadProduct.pack(wb, cols, bias, order, ProductPrecision.BF16);
        assertTrue(packed.bf16());
        float[] y = new float[m * count];
        packed.multiply(x, m, count, (p0, nf, i0, rows, tile) -> {
            for (int i = 0; i < rows; i++) {
                System.arraycopy(tile, i * HeadProduct.FEATURES_PER_PANEL, y, (i0 + i) * count + p0, nf);
            }
        });
        double maxFromF32 = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < count; j++) {
                double exact = bias[j];
                double f32 = bias[j];
                for (int k = 0; k < cols; k++) {
                    float rounded = Float.intBitsToFloat((ai.t2l.io.Half.bf16FromFloat(w[j * cols + k]) & 0xFFFF) << 16);
                    exact += (double) rounded * x[i * cols + k];
                    f32 += (double) w[j * cols + k] * x[i * cols + k];
                }
                double got = y[i * count + j];
                assertTrue(Math.abs(exact - got) <= 1e-5 * Math.sqrt(cols), "row " + i + " feature " + j + ": "
                        + got + " vs " + exact + " on the rounded weights");
                maxFromF32 = Math.max(maxFromF32, Math.abs(f32 - got));
            }
        }
        assertTrue(maxFromF32 > 0, "bf16 panels gave the float32 product exactly: were the weights rounded?");
    }

    /**
     * The dense form (the hypernetwork trunk's layers): every row and position of x·Wᵀ + b equal, bit for bit, to
     * what the tile-by-tile form delivers, and the SiLU form equal to SiLU applied afterwards; row counts that are
     * not whole tiles, a last panel that is partial, and enough rows to split across the pool.
     */
    @ParameterizedTest(name = "m={0} cols={1} positions={2}")
    @CsvSource({"1, 7, 9", "45, 40, 203", "1024, 128, 50", "130, 512, 517"})
    void theDenseFormIsTheTiledProductRowMajor(int m, int cols, int count) {
        SplittableRandom r = new SplittableRandom(m * 17L + cols);
        float[] w = gaussian(r, count * cols, 0.05f);
        float[] x = gaussian(r, m * cols, 1f);
        float[] bias = gaussian(r, count, 1f);
        HeadProduct packed = HeadProduct.pack(direct(w), cols, bias,
                java.util.stream.IntStream.range(0, count).toArray(), ProductPrecision.F32);
        float[] want = new float[m * count];
        packed.multiply(x, m, count, (p0, nf, i0, rows, tile) -> {
            for (int i = 0; i < rows; i++) {
                System.arraycopy(tile, i * HeadProduct.FEATURES_PER_PANEL, want, (i0 + i) * count + p0, nf);
            }
        });
        float[] plain = packed.multiply(x, m, false);
        float[] activated = packed.multiply(x, m, true);
        float[] siluAfter = want.clone();
        Silu.inPlace(siluAfter, 0, siluAfter.length);
        for (int i = 0; i < want.length; i++) {
            assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(plain[i]), "value " + i);
            assertEquals(Float.floatToIntBits(siluAfter[i]), Float.floatToIntBits(activated[i]), "silu value " + i);
        }
        // the same rows in blocks that are not whole tiles, each written at another row of its destination
        int block = 5;
        float[] inBlocks = new float[(m + 3) * count];
        for (int r0 = 0; r0 < m; r0 += block) {
            packed.multiplyRows(x, r0, inBlocks, r0 + 3, Math.min(block, m - r0), true, (long) m * count);
        }
        for (int i = 0; i < want.length; i++) {
            assertEquals(Float.floatToIntBits(siluAfter[i]), Float.floatToIntBits(inBlocks[3 * count + i]),
                    "value " + i + " made in blocks of " + block + " rows");
        }
    }

    private static float[] gaussian(SplittableRandom r, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian() * scale;
        }
        return a;
    }

    /** w in engine-like memory: a native-order direct buffer. */
    private static FloatBuffer direct(float[] w) {
        FloatBuffer b = ByteBuffer.allocateDirect(w.length * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        return b.put(0, w);
    }

    @org.junit.jupiter.api.Test
    void refusesAFeatureOutsideTheWeight() {
        FloatBuffer wb = ByteBuffer.allocateDirect(4 * 4 * 3).order(ByteOrder.nativeOrder()).asFloatBuffer();
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> HeadProduct.pack(wb, 4, null, new int[] {0, 3}, ProductPrecision.F32));
        assertTrue(e.getMessage().contains("feature 3 outside W's 3 rows"), e.getMessage());
    }

    /**
     * Runs {@code packed} (positions = features [f0, f0 + positions)) on the m rows of x through its sink, placing
     * y[row · features + feature] and counting in {@code seen} how often each place came (each must come once).
     */
    static void multiplyCounting(HeadProduct packed, float[] x, int m, int features, int f0, float[] y, int[] seen) {
        packed.multiply(x, m, packed.positions(), (p0, nf, i0, rows, tile) -> {
            for (int f = 0; f < nf; f++) {
                for (int i = 0; i < rows; i++) {
                    y[(i0 + i) * features + f0 + p0 + f] = tile[i * HeadProduct.FEATURES_PER_PANEL + f];
                    synchronized (seen) {
                        seen[(i0 + i) * features + f0 + p0 + f]++;
                    }
                }
            }
        });
    }
}
