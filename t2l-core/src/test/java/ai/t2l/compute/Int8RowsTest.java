package ai.t2l.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.io.T2lException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The int8 products on int8 activations ({@link Int8Rows}, int8-rows.c; {@code --products int8dot}) through
 * {@link Int8Matrix}: every output against the arithmetic the C file states, written out here from llama.cpp's Q8_0 ×
 * Q8_0 (quantize each activation block as the weights are, an exact integer sum per block, then
 * fma(sum, weight scale × activation scale, acc) block after block), bit for bit.
 */
class Int8RowsTest {
    /**
     * Row counts that fill panels and leave part of one (the partial panel goes through a scratch), widths below, at
     * and past a block (padded with zeros), activation counts that take every group size of the tile (1-8) and more
     * than one group.
     */
    @ParameterizedTest(name = "{0} weight rows × {1} columns, {2} activation rows")
    @CsvSource({"16, 32, 1", "33, 4096, 1", "16, 32, 2", "40, 64, 3", "17, 33, 4", "48, 100, 5", "32, 256, 6", "64, 96, 7", "96, 2304, 8",
        "50, 130, 9", "80, 512, 17"})
    void theProductIsTheStatedSumBitForBit(int rows, int cols, int n) {
        checkBitForBit(rows * 1000L + cols * 10L + n, rows, cols, n);
    }

    /**
     * Rows so long that one panel and 8 activation rows fill a native call: the calls split the activation rows into
     * groups, and every output is still one whole sum.
     */
    @Test
    void longRowsAreCutIntoCallsWithoutChangingABit() {
        checkBitForBit(7, 48, 65536, 20);
    }

    /** Random weights and activations of this shape: int8dot's products against {@link #statedProduct}. */
    private static void checkBitForBit(long seed, int rows, int cols, int n) {
        Bf16DotLibrary.requireInt8();
        SplittableRandom r = new SplittableRandom(seed);
        Int8Matrix m = randomMatrix(r, rows, cols);
        float[] x = gaussians(r, n * cols);
        m.productPrecision(ProductPrecision.INT8_DOT);
        assertBitForBit(statedProduct(m, x, n), product(m, x, n), rows, n);
    }

    /**
     * A row's outputs do not depend on the rows beside it: each row of a batch of 11 (a tile of 8 and one of 3) gives
     * the bits it gives alone, as batch-1 decode runs it; and a row of zeros gives zeros (scale 0, sums 0).
     */
    @Test
    void eachRowGivesTheSameBitsAloneAndInABatch() {
        Bf16DotLibrary.requireInt8();
        SplittableRandom r = new SplittableRandom(3);
        int cols = 320;
        Int8Matrix m = randomMatrix(r, 48, cols);
        m.productPrecision(ProductPrecision.INT8_DOT);
        int n = 11;
        float[] x = gaussians(r, n * cols);
        java.util.Arrays.fill(x, 4 * cols, 5 * cols, 0f);
        float[] batch = product(m, x, n);
        for (int i = 0; i < n; i++) {
            float[] alone = product(m, java.util.Arrays.copyOfRange(x, i * cols, (i + 1) * cols), 1);
            assertBitForBit(alone, java.util.Arrays.copyOfRange(batch, i * 48, (i + 1) * 48), 48, 1);
        }
        for (int o = 0; o < 48; o++) {
            assertEquals(0f, batch[4 * 48 + o], "row of zeros, output " + o);
        }
    }

    /** A non-finite activation makes every output of its row NaN (as float32 would make them non-finite). */
    @Test
    void aNonFiniteActivationSpoilsItsRowOnly() {
        Bf16DotLibrary.requireInt8();
        SplittableRandom r = new SplittableRandom(5);
        Int8Matrix m = randomMatrix(r, 32, 64);
        float[] x = gaussians(r, 3 * 64);
        x[64 + 40] = Float.POSITIVE_INFINITY;
        m.productPrecision(ProductPrecision.INT8_DOT);
        float[] y = product(m, x, 3);
        for (int o = 0; o < 32; o++) {
            assertTrue(Float.isFinite(y[o]) && Float.isFinite(y[64 + o]), "rows 0 and 2 stay finite");
            assertTrue(Float.isNaN(y[32 + o]), "row 1 output " + o + " is " + y[32 + o]);
        }
    }

    /** Indices are checked in Java before the native call, which trusts them. */
    @Test
    void badArgumentsAreRefusedBeforeTheNativeCall() {
        Bf16DotLibrary.requireInt8();
        int quads = 16; // 64 columns, 2 blocks
        byte[] q = new byte[2 * 16 * 64];
        float[] s = new float[2 * 16 * 2];
        int[] xa = Int8Rows.quantize(new float[3 * 64], 3, 64, 2);
        float[] y = new float[3 * 32];
        Int8Rows.product(q, s, quads, xa, 3, y, 32, 0, 0, 2); // in bounds
        assertThrows(IndexOutOfBoundsException.class, () -> Int8Rows.product(q, s, quads, xa, 3, y, 32, 0, 0, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> Int8Rows.product(q, new float[16], quads, xa, 3, y, 32, 0,
                0, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> Int8Rows.product(q, s, quads, xa, 4, y, 32, 0, 0, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> Int8Rows.product(q, s, quads, xa, 3, new float[95], 32, 0,
                0, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> Int8Rows.product(q, s, quads, xa, 3, y, 32, 1, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> Int8Rows.product(q, s, quads, xa, 3, y, 16, 0, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> Int8Rows.product(q, s, 12, xa, 3, y, 32, 0, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> Int8Rows.product(q, s, quads, xa, 3, y, 32, 0, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> Int8Rows.quantize(new float[64], 1, 64, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> Int8Rows.quantize(new float[63], 1, 64, 2));
    }

    /**
     * int8dot is for int8 weights: packed heads refuse it, and a bad value's message lists it (float32 and bf16 models
     * keeping their products under it: {@code WeightPrecisionTest.int8DotLeavesOtherWeightsAsTheyAre}).
     */
    @Test
    void theHeadsDoNotTakeIt() {
        Bf16DotLibrary.requireInt8();
        assertThrows(IllegalArgumentException.class, () -> HeadProduct.pack(java.nio.FloatBuffer.allocate(64), 8, null,
                new int[] {0}, ProductPrecision.INT8_DOT));
        assertEquals(ProductPrecision.INT8_DOT, ProductPrecision.parse("int8dot", "--products"));
        T2lException e = assertThrows(T2lException.class, () -> ProductPrecision.parse("int4", "--products"));
        assertTrue(e.getMessage().contains("int8dot"), e.getMessage());
    }

    /** Activation row r's values quantized as the weights are (ggml's quantize_row_q8_0_ref with Math.round). */
    private static float[] statedProduct(Int8Matrix m, float[] x, int n) {
        int rows = (int) m.rows();
        int cols = (int) m.cols();
        int blocks = Int8Matrix.blocks(cols);
        byte[] q = rowMajor(m);
        float[] s = m.scales();
        float[] y = new float[n * rows];
        for (int r = 0; r < n; r++) {
            int[] xq = new int[blocks * 32];
            float[] d = new float[blocks];
            for (int b = 0; b < blocks; b++) {
                float amax = 0;
                for (int c = 32 * b; c < Math.min(cols, 32 * b + 32); c++) {
                    amax = Math.max(amax, Math.abs(x[r * cols + c]));
                }
                d[b] = amax / 127f;
                float id = d[b] != 0 ? 1f / d[b] : 0f;
                for (int c = 32 * b; c < Math.min(cols, 32 * b + 32); c++) {
                    xq[c] = Math.round(x[r * cols + c] * id);
                }
            }
            for (int o = 0; o < rows; o++) {
                float acc = 0;
                for (int b = 0; b < blocks; b++) {
                    int sum = 0;
                    for (int c = 32 * b; c < Math.min(cols, 32 * b + 32); c++) {
                        sum += q[o * cols + c] * xq[c];
                    }
                    acc = Math.fma((float) sum, s[o * blocks + b] * d[b], acc);
                }
                y[r * rows + o] = acc;
            }
        }
        return y;
    }

    private static float[] product(Int8Matrix m, float[] x, int n) {
        float[] y = new float[n * (int) m.rows()];
        m.skinnyProduct(Kernels.best(), m.prepare(x, n), x, n, y);
        return y;
    }

    private static void assertBitForBit(float[] want, float[] got, int rows, int n) {
        for (int i = 0; i < want.length; i++) {
            float w = want[i];
            float g = got[i];
            int row = i / rows;
            int o = i % rows;
            assertEquals(Float.floatToRawIntBits(w), Float.floatToRawIntBits(g),
                    () -> "activation row " + row + " of " + n + ", output " + o + ": " + g + " vs " + w);
        }
    }

    private static byte[] rowMajor(Int8Matrix m) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            m.writeQuantized(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Weights of spread magnitudes (so the blocks' scales differ) quantized at load. */
    private static Int8Matrix randomMatrix(SplittableRandom r, int rows, int cols) {
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * Math.exp(r.nextDouble(-3, 1)));
        }
        return Int8Matrix.quantize(rows, cols, (o, dst) -> System.arraycopy(w, o * cols, dst, 0, cols));
    }

    private static float[] gaussians(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }
}
