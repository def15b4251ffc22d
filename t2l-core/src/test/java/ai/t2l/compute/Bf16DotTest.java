package ai.t2l.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.io.Half;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The native bf16 dot tile ({@link Bf16Dot}) and {@link HeadProduct} in {@link ProductPrecision#BF16_DOT}: the sums of
 * the bfloat16-rounded weights and activations, every (row, feature) delivered once, bounds checked in Java.
 */
class Bf16DotTest {
    /**
     * One tile against Intel's definition of VDPBF16PS, emulated in float: per lane, acc + (odd pair's product) then
     * + (even pair's product), each product exact in float32 and each sum rounded once. Bit for bit, so a kernel
     * that read the wrong halves, lanes or rows would fail at the first value.
     */
    @Test
    void aTileIsTheInstructionsSumBitForBit() {
        Bf16DotLibrary.require();
        SplittableRandom r = new SplittableRandom(3);
        int pairs = 37;
        int[] panels = randomPairs(r, 5 + 2 * pairs * 16); // first half from 5, second from 5 + pairs·16
        int[] xb = randomPairs(r, 3 + 2 * pairs * 8); // two tiles from 3
        float[] out = new float[2 * 256];
        Bf16Dot.tiles(panels, 5, 5 + pairs * 16, pairs, xb, 3, 2, out);
        for (int t = 0; t < 2; t++) {
            for (int i = 0; i < 8; i++) {
                for (int f = 0; f < 32; f++) {
                    float acc = 0f;
                    for (int q = 0; q < pairs; q++) {
                        int w = panels[5 + (f < 16 ? 0 : pairs * 16) + q * 16 + f % 16];
                        int x = xb[3 + t * 8 * pairs + i * pairs + q];
                        acc += high(x) * high(w);
                        acc += low(x) * low(w);
                    }
                    assertEquals(Float.floatToRawIntBits(acc), Float.floatToRawIntBits(out[t * 256 + i * 32 + f]),
                            "tile " + t + " row " + i + " output " + f + ": " + out[t * 256 + i * 32 + f] + " vs "
                                    + acc);
                }
            }
        }
    }

    /**
     * A tile of activations: each row's values rounded to nearest even as {@link Half#bf16FromFloat} (torch's cast)
     * does, in order, an odd last value paired with zero, rows past the count zeros; NaN stays NaN. Widths below,
     * at and past the 32 values one instruction converts.
     */
    @ParameterizedTest(name = "{0} rows × {1}")
    @CsvSource({"8, 64", "3, 1", "5, 7", "8, 31", "1, 32", "7, 33", "2, 70"})
    void aTileOfActivationsIsTheirBf16ValuesInOrder(int rows, int cols) {
        Bf16DotLibrary.require();
        SplittableRandom r = new SplittableRandom(rows * 100L + cols);
        float[] x = new float[(rows + 2) * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-6, 6)));
        }
        x[cols] = Float.NaN; // row 1 of the tile below, first value
        int pairs = (cols + 1) / 2;
        int[] xb = new int[5 + 8 * pairs];
        java.util.Arrays.fill(xb, 0x7FFF_FFFF); // every place written, none outside
        Bf16Dot.packTile(x, 0, rows, cols, xb, 5);
        for (int j = 0; j < 5; j++) {
            assertEquals(0x7FFF_FFFF, xb[j], "before the tile");
        }
        for (int i = 0; i < 8; i++) {
            for (int k = 0; k < 2 * pairs; k++) {
                int pair = xb[5 + i * pairs + k / 2];
                int got = (k % 2 == 0 ? pair : pair >>> 16) & 0xFFFF;
                if (i >= rows || k >= cols) {
                    assertEquals(0, got, "row " + i + " value " + k + " is padding");
                } else if (Float.isNaN(x[i * cols + k])) {
                    assertTrue(Float.isNaN(Float.intBitsToFloat(got << 16)), "NaN stays NaN");
                } else {
                    assertEquals(Half.bf16FromFloat(x[i * cols + k]) & 0xFFFF, got, "row " + i + " value " + k
                            + " (" + x[i * cols + k] + ")");
                }
            }
        }
        assertThrows(IndexOutOfBoundsException.class, () -> Bf16Dot.packTile(x, 3, rows, cols, new int[8 * pairs],
                0));
        assertThrows(IndexOutOfBoundsException.class, () -> Bf16Dot.packTile(x, 0, rows, cols, new int[8 * pairs],
                1));
        assertThrows(IllegalArgumentException.class, () -> Bf16Dot.packTile(x, 0, 9, cols, xb, 0));
    }

    @Test
    void badIndicesAreRefusedBeforeTheNativeCode() {
        Bf16DotLibrary.require();
        int[] panels = new int[2 * 16 * 4];
        int[] xb = new int[8 * 4];
        float[] out = new float[256];
        Bf16Dot.tiles(panels, 0, 64, 4, xb, 0, 1, out); // in bounds
        assertThrows(IndexOutOfBoundsException.class, () -> Bf16Dot.tiles(panels, 0, 65, 4, xb, 0, 1, out));
        assertThrows(IndexOutOfBoundsException.class, () -> Bf16Dot.tiles(panels, -1, 64, 4, xb, 0, 1, out));
        assertThrows(IndexOutOfBoundsException.class, () -> Bf16Dot.tiles(panels, 0, 64, 4, xb, 1, 1, out));
        assertThrows(IndexOutOfBoundsException.class, () -> Bf16Dot.tiles(panels, 0, 64, 4, xb, 0, 2, out));
        assertThrows(IndexOutOfBoundsException.class, () -> Bf16Dot.tiles(panels, 0, 64, 4, xb, 0, 1,
                new float[255]));
        assertThrows(IllegalArgumentException.class, () -> Bf16Dot.tiles(panels, 0, 64, 0, xb, 0, 1, out));
        Bf16Dot.acrossGroups(panels, 64, 4, 1, xb, out); // in bounds: one group of 4 pairs per half
        assertThrows(IndexOutOfBoundsException.class, () -> Bf16Dot.acrossGroups(panels, 64, 4, 2, xb, out));
        assertThrows(IndexOutOfBoundsException.class, () -> Bf16Dot.acrossGroups(panels, 65, 4, 1, xb, out));
        assertThrows(IndexOutOfBoundsException.class, () -> Bf16Dot.acrossGroups(panels, 64, 4, 1, new int[31],
                out));
        assertThrows(IllegalArgumentException.class, () -> Bf16Dot.acrossGroups(panels, 64, 0, 1, xb, out));
    }

    @Test
    void aFileThatIsNotTheLibraryIsRefusedWithItsName(@TempDir Path dir) throws Exception {
        String missing = Bf16Dot.tryLoad(dir.resolve("missing.so"));
        assertTrue(missing != null && missing.contains("missing.so does not exist"), missing);
        String junk = Bf16Dot.tryLoad(Files.writeString(dir.resolve("junk.so"), "not an ELF file"));
        assertTrue(junk != null && junk.contains("junk.so did not load"), junk);
    }

    /**
     * The BF16_DOT head product against a double-precision x·Wᵀ + b of the rounded values: row counts that are not
     * tiles of 8 (and more than one native call's 16 tiles), odd widths, partial panels, features from an offset; and
     * the dense form bit for bit the same.
     */
    @ParameterizedTest(name = "m={0} cols={1} features [{2}, {3})")
    @CsvSource({"32, 512, 0, 4096", "1, 7, 0, 9", "45, 41, 3, 203", "200, 64, 16, 1000"})
    void theHeadProductSumsTheRoundedValues(int m, int cols, int f0, int f1) {
        Bf16DotLibrary.require();
        SplittableRandom r = new SplittableRandom(m * 31L + cols);
        int features = f1 + 5;
        float[] w = gaussian(r, features * cols, 0.05f);
        float[] x = gaussian(r, m * cols, 1f);
        float[] bias = gaussian(r, features, 1f);
        int[] order = java.util.stream.IntStream.range(f0, f1).toArray();
        HeadProduct packed = HeadProduct.pack(java.nio.FloatBuffer.wrap(w), cols, bias, order,
                ProductPrecision.BF16_DOT);
        assertEquals(ProductPrecision.BF16_DOT, packed.precision());
        float[] y = new float[m * features];
        int[] seen = new int[m * features];
        HeadProductTest.multiplyCounting(packed, x, m, features, f0, y, seen);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < features; j++) {
                int want = j >= f0 && j < f1 ? 1 : 0;
                assertEquals(want, seen[i * features + j], "times row " + i + " feature " + j + " came");
                if (want == 0) {
                    continue;
                }
                double exact = 0;
                double scale = 0;
                for (int k = 0; k < cols; k++) {
                    double p = (double) rounded(w[j * cols + k]) * rounded(x[i * cols + k]);
                    exact += p;
                    scale += Math.abs(p);
                }
                exact += bias[j];
                double d = Math.abs(exact - y[i * features + j]);
                assertTrue(d <= 1e-6 * (scale + Math.abs(bias[j])), "row " + i + " feature " + j + ": "
                        + y[i * features + j] + " vs " + exact);
            }
        }
        // the dense form (the trunk's): the same tiles, so the same bits
        float[] dense = packed.multiply(x, m, false);
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < order.length; p++) {
                assertEquals(Float.floatToRawIntBits(y[i * features + f0 + p]),
                        Float.floatToRawIntBits(dense[i * order.length + p]), "dense form, row " + i + " output " + p);
            }
        }
    }

    /**
     * A prompt's product of mapped bf16 weights in bf16 dot products ({@link HalfMatrix#productPrecision}): the sums of
     * the stored weights and the rounded activations, for a short last group of rows, an odd width, a matrix mapped in
     * pieces, and more rows than one block of activation tiles holds.
     */
    @ParameterizedTest(name = "{0} x {1}, {2} rows, pieces of {3} bytes")
    @CsvSource({"70, 96, 50, 1073741824", "33, 2305, 60, 1073741824", "100, 1030, 49, 20600", "40, 9000, 300,"
            + " 1073741824"})
    void aBf16MatrixsPromptProductSumsTheRoundedValues(int rows, int cols, int n, long pieceBytes) {
        Bf16DotLibrary.require();
        SplittableRandom r = new SplittableRandom(rows * 7L + cols);
        float[] w = new float[rows * cols];
        HalfMatrix m = TiledProductTest.mapped(TiledProductTest.bf16Weights(r, w), rows, cols, pieceBytes);
        m.productPrecision(ProductPrecision.BF16_DOT);
        float[] x = gaussian(r, n * cols, 1f);
        float[] y = new float[n * rows];
        m.panelProduct(Kernels.best(), x, n, y);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < rows; j++) {
                double exact = 0;
                double scale = 0;
                for (int k = 0; k < cols; k++) {
                    double p = (double) w[j * cols + k] * rounded(x[i * cols + k]);
                    exact += p;
                    scale += Math.abs(p);
                }
                assertTrue(Math.abs(exact - y[i * rows + j]) <= 1e-6 * scale, "row " + i + " output " + j + ": "
                        + y[i * rows + j] + " vs " + exact);
            }
        }
    }

    private static float rounded(float v) {
        return Float.intBitsToFloat(Half.bf16FromFloat(v) << 16);
    }

    private static float low(int pair) {
        return Float.intBitsToFloat(pair << 16);
    }

    private static float high(int pair) {
        return Float.intBitsToFloat(pair & 0xFFFF0000);
    }

    /** Pairs of bfloat16 values of ordinary size (Gaussian; no subnormals, which the instruction flushes). */
    private static int[] randomPairs(SplittableRandom r, int n) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = (Half.bf16FromFloat((float) r.nextGaussian()) & 0xFFFF)
                    | Half.bf16FromFloat((float) r.nextGaussian()) << 16;
        }
        return v;
    }

    private static float[] gaussian(SplittableRandom r, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian() * scale;
        }
        return v;
    }
}
