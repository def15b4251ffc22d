package ai.t2l.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.io.Half;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The native float32 products of bf16 weights ({@link Bf16Rows}, bf16-rows.c) and {@link HalfMatrix} on them: the
 * order of the sums the C file states, bit for bit; the same products as the Java kernels within float32 rounding;
 * every output written once; bounds checked in Java.
 */
class Bf16RowsTest {
    /**
     * Every output against the C file's order, emulated with {@link Math#fma}: per lane t of a block of 32 columns,
     * acc = fma(w[odd], x[odd], fma(w[even], x[even], acc)), blocks in order, the last one padded with zeros; then the
     * 16 lanes summed as halves (t + 8), quarters (t + 4), then [0] + [2], [1] + [3], and those two. Widths below, at
     * and past a block, activation counts that take every group size of the tile (1-8) and more than one group,
     * weight rows that leave one or two after the tiles of three.
     */
    @ParameterizedTest(name = "{0} weight rows × {1} columns, {2} activation rows")
    @CsvSource({"7, 64, 8", "3, 1, 1", "5, 31, 2", "4, 32, 3", "8, 33, 4", "2, 70, 5", "6, 96, 6", "9, 130, 7",
        "11, 2304, 16", "10, 100, 13"})
    void theProductIsTheStatedSumBitForBit(int rows, int cols, int n) {
        Bf16DotLibrary.require();
        SplittableRandom r = new SplittableRandom(rows * 1000L + cols * 10L + n);
        int before = 3; // the product's rows start past other rows of the buffer
        ByteBuffer w = randomBf16(r, (before + rows) * cols);
        float[] x = gaussians(r, n * cols);
        int yStride = rows + 5;
        float[] y = new float[n * yStride];
        java.util.Arrays.fill(y, Float.NaN); // every output written, nothing else
        Bf16Rows.product(w.slice(before * cols * 2, rows * cols * 2), 2, cols, Bf16Rows.pack(x, n, cols), n, y,
                yStride, 2, 2 + rows);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < yStride; j++) {
                float got = y[i * yStride + j];
                if (j < 2 || j >= 2 + rows) {
                    assertTrue(Float.isNaN(got), "row " + i + " column " + j + " is outside the product");
                    continue;
                }
                float want = statedSum(w, (before + j - 2) * cols, x, i * cols, cols);
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got),
                        "row " + i + " output " + (j - 2) + ": " + got + " vs " + want);
            }
        }
    }

    /**
     * The bf16 dot form against Intel's definition of VDPBF16PS per lane (acc + odd pair's product, then + even
     * pair's, each product exact in float32, each sum rounded once) over the activations rounded to nearest even,
     * then the same sum of lanes: bit for bit, for the shapes above.
     */
    @ParameterizedTest(name = "{0} weight rows × {1} columns, {2} activation rows")
    @CsvSource({"7, 64, 8", "3, 1, 1", "5, 31, 2", "4, 32, 3", "8, 33, 4", "2, 70, 5", "6, 96, 6", "9, 130, 7",
        "11, 2304, 16", "10, 100, 13"})
    void theDotFormIsTheInstructionsSumBitForBit(int rows, int cols, int n) {
        Bf16DotLibrary.require();
        SplittableRandom r = new SplittableRandom(rows * 1000L + cols * 10L + n + 1);
        ByteBuffer w = randomBf16(r, rows * cols);
        float[] x = gaussians(r, n * cols);
        float[] y = new float[n * rows];
        Bf16Rows.dot(w, 0, cols, Bf16Rows.packDot(x, n, cols), n, y, rows, 0, rows);
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < rows; o++) {
                float[] lanes = new float[16];
                for (int b = 0; b < cols; b += 32) {
                    for (int t = 0; t < 16; t++) {
                        int even = b + 2 * t;
                        int odd = even + 1;
                        float xo = odd < cols ? rounded(x[i * cols + odd]) : 0f;
                        float xe = even < cols ? rounded(x[i * cols + even]) : 0f;
                        lanes[t] += xo * (odd < cols ? bf16(w, o * cols + odd) : 0f);
                        lanes[t] += xe * (even < cols ? bf16(w, o * cols + even) : 0f);
                    }
                }
                float want = sumOfLanes(lanes);
                float got = y[i * rows + o];
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got),
                        "row " + i + " output " + o + ": " + got + " vs " + want);
            }
        }
    }

    /** The dot form's activations: each row's values rounded as torch's cast, in pairs by blocks; NaN stays NaN. */
    @Test
    void dotActivationsAreTheirBf16ValuesByBlocks() {
        Bf16DotLibrary.require();
        int n = 3;
        int cols = 45;
        float[] x = gaussians(new SplittableRandom(5), n * cols);
        x[cols + 7] = Float.NaN;
        int[] xb = Bf16Rows.packDot(x, n, cols);
        assertEquals(2 * n * 16, xb.length);
        for (int b = 0; b < 2; b++) {
            for (int i = 0; i < n; i++) {
                for (int t = 0; t < 32; t++) {
                    int pair = xb[(b * n + i) * 16 + t / 2];
                    short got = (short) (t % 2 == 0 ? pair : pair >>> 16);
                    int c = 32 * b + t;
                    short want = c < cols ? Half.bf16FromFloat(x[i * cols + c]) : 0;
                    if (c == 7 && i == 1) {
                        assertTrue(Float.isNaN(Float.intBitsToFloat(got << 16)), "NaN stays NaN");
                    } else {
                        assertEquals(want, got, "row " + i + " column " + c);
                    }
                }
            }
        }
    }

    /**
     * {@link HalfMatrix#productPrecision} bf16dot: products of 2 rows or more take the dot form (the same values as
     * calling it), batch 1 keeps float32 (the Java kernels' values within rounding).
     */
    @Test
    void halfMatrixTakesTheDotFormFromTwoRows() {
        Bf16DotLibrary.require();
        SplittableRandom r = new SplittableRandom(17);
        int rows = 50;
        int cols = 200;
        ByteBuffer w = randomBf16(r, rows * cols);
        HalfMatrix m = HalfMatrix.mapped(rows, cols, false, (off, len) -> w.slice((int) off, (int) len));
        m.productPrecision(ProductPrecision.BF16_DOT);
        for (int n : new int[] {2, 8, 9}) {
            float[] x = gaussians(r, n * cols);
            float[] want = new float[n * rows];
            Bf16Rows.dot(w, 0, cols, Bf16Rows.packDot(x, n, cols), n, want, rows, 0, rows);
            assertEquals(java.util.Arrays.toString(want), java.util.Arrays.toString(product(m, x, n, true)),
                    n + " rows");
        }
        float[] x = gaussians(r, cols);
        float[] one = product(m, x, 1, true);
        float[] f32 = product(m, x, 1, false);
        for (int o = 0; o < rows; o++) {
            assertEquals(f32[o], one[o], 1e-4 * (1 + Math.abs(f32[o])), "batch 1 output " + o);
        }
    }

    /**
     * Through {@link HalfMatrix}: a matrix mapped in chunks (a product crosses them), on both cores, against the Java
     * kernels and against float64 sums; the gap between the two paths is float32 rounding of a different order.
     */
    @Test
    void halfMatrixProductsMatchTheJavaKernelsAndFloat64() {
        Bf16DotLibrary.require();
        SplittableRandom r = new SplittableRandom(11);
        int rows = 301;
        int cols = 330;
        ByteBuffer w = randomBf16(r, rows * cols);
        long chunkBytes = 40L * cols * 2; // chunks of 40 rows: the product crosses seven of them
        HalfMatrix m = HalfMatrix.mapped(rows, cols, false, (off, len) -> w.slice((int) off, (int) len), chunkBytes);
        for (int n : new int[] {1, 2, 8, 11}) {
            float[] x = gaussians(r, n * cols);
            float[] nat = product(m, x, n, true);
            float[] java = product(m, x, n, false);
            for (int i = 0; i < n; i++) {
                for (int o = 0; o < rows; o++) {
                    double exact = 0;
                    double size = 0;
                    for (int c = 0; c < cols; c++) {
                        double p = (double) bf16(w, o * cols + c) * x[i * cols + c];
                        exact += p;
                        size += Math.abs(p);
                    }
                    double bound = cols * 0x1p-24 * size; // float32 summation's bound; a wrong column is far off
                    int at = i * rows + o;
                    assertTrue(Math.abs(nat[at] - exact) <= bound, n + " rows: native " + nat[at] + " vs " + exact);
                    assertTrue(Math.abs(java[at] - exact) <= bound, n + " rows: Java " + java[at] + " vs " + exact);
                }
            }
        }
    }

    @Test
    void badArgumentsAreRefusedBeforeTheNativeCall() {
        Bf16DotLibrary.require();
        ByteBuffer w = randomBf16(new SplittableRandom(1), 4 * 64);
        float[] xb = Bf16Rows.pack(new float[2 * 64], 2, 64);
        float[] y = new float[2 * 4];
        assertThrows(IllegalArgumentException.class, () -> Bf16Rows.product(ByteBuffer.allocate(4 * 64 * 2)
                .order(ByteOrder.LITTLE_ENDIAN), 0, 64, xb, 2, y, 4, 0, 4), "a heap buffer");
        assertThrows(IndexOutOfBoundsException.class, () -> Bf16Rows.product(w.slice(0, 3 * 64 * 2), 0, 64, xb, 2,
                y, 4, 0, 4), "weight rows past the buffer");
        assertThrows(IndexOutOfBoundsException.class, () -> Bf16Rows.product(w, 0, 64, new float[64 * 2 - 1], 2, y,
                4, 0, 4), "activations shorter than two rows");
        assertThrows(IndexOutOfBoundsException.class, () -> Bf16Rows.product(w, 0, 64, xb, 2, new float[7], 4, 0,
                4), "an output shorter than two rows");
        assertThrows(IllegalArgumentException.class, () -> Bf16Rows.product(w, 0, 64, xb, 2, y, 4, 0, 5),
                "outputs past the stride");
        assertThrows(IllegalArgumentException.class, () -> Bf16Rows.product(w, 1, 64, xb, 2, y, 4, 0, 4),
                "outputs before the buffer's first row");
        assertThrows(IllegalArgumentException.class, () -> Bf16Rows.product(w, 0, 64, xb, 0, y, 4, 0, 4),
                "no activation rows");
    }

    private static float[] product(HalfMatrix m, float[] x, int n, boolean nativeRows) {
        return NativeRows.with(nativeRows, () -> {
            float[] y = new float[n * (int) m.rows()];
            Kernels k = Kernels.best();
            m.skinnyProduct(k, m.prepare(x, n), x, n, y);
            return y;
        });
    }

    /** The C file's sum for one weight row (from short index w0) and one activation row (from x0). */
    private static float statedSum(ByteBuffer w, int w0, float[] x, int x0, int cols) {
        float[] lanes = new float[16];
        for (int b = 0; b < cols; b += 32) {
            for (int t = 0; t < 16; t++) {
                int even = b + 2 * t;
                int odd = even + 1;
                float we = even < cols ? bf16(w, w0 + even) : 0f;
                float xe = even < cols ? x[x0 + even] : 0f;
                float wo = odd < cols ? bf16(w, w0 + odd) : 0f;
                float xo = odd < cols ? x[x0 + odd] : 0f;
                lanes[t] = Math.fma(wo, xo, Math.fma(we, xe, lanes[t]));
            }
        }
        return sumOfLanes(lanes);
    }

    /** The C file's sum16. */
    private static float sumOfLanes(float[] lanes) {
        float[] h = new float[8];
        for (int t = 0; t < 8; t++) {
            h[t] = lanes[t] + lanes[t + 8];
        }
        float[] q = new float[4];
        for (int t = 0; t < 4; t++) {
            q[t] = h[t] + h[t + 4];
        }
        return (q[0] + q[2]) + (q[1] + q[3]);
    }

    private static float bf16(ByteBuffer w, int i) {
        return Float.intBitsToFloat((w.getShort(2 * i) & 0xFFFF) << 16);
    }

    private static float rounded(float v) {
        return Float.intBitsToFloat((Half.bf16FromFloat(v) & 0xFFFF) << 16);
    }

    private static ByteBuffer randomBf16(SplittableRandom r, int count) {
        ByteBuffer w = ByteBuffer.allocateDirect(2 * count).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            w.putShort(2 * i, Half.bf16FromFloat((float) r.nextGaussian()));
        }
        return w;
    }

    private static float[] gaussians(SplittableRandom r, int count) {
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }
}
