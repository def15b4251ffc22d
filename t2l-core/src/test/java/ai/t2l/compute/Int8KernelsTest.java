package ai.t2l.compute;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The int8 kernels on every signed byte value, -128 included (a quantized folder may hold it, quantizing never
 * writes it), against a float64 reference computed from the signed values before {@link Int8Matrix} lays them out in
 * panels: activation rows 1..40 (the batched kernels' groups of eight and four, and the rows left over), output
 * ranges that start and end inside a panel, row counts that leave a padded panel, widths that are padded to whole
 * blocks, zero and large scales.
 */
class Int8KernelsTest {
    private static final double TOL = 2e-5; // relative to sum |w·x|, as KernelsTest

    /** Signed values over the whole byte range, with -128, 127, -1 and 0 at fixed places. */
    private static byte[] fullRange(int rows, int cols, SplittableRandom rng) {
        byte[] q = new byte[rows * cols];
        for (int i = 0; i < q.length; i++) {
            q[i] = (byte) (rng.nextInt(256) - 128);
        }
        q[0] = -128;
        q[q.length - 1] = -128;
        q[q.length / 2] = 127;
        q[q.length / 3] = -1;
        q[q.length / 5] = 0;
        return q;
    }

    private static float[] scales(int rows, int cols, SplittableRandom rng) {
        float[] s = new float[rows * Int8Matrix.blocks(cols)];
        for (int i = 0; i < s.length; i++) {
            s[i] = i % 11 == 3 ? 0f : (float) Math.exp(rng.nextGaussian() * 3) * 1e-2f;
        }
        return s;
    }

    /**
     * The plain loops, the best kernels here, and the 256-bit panel kernels (AVX2's) wherever they run: on an AVX-512
     * machine {@link Kernels#best} takes the 512-bit ones, and the 256-bit ones would go untested there otherwise.
     */
    private static java.util.List<Kernels> skinnyKernels() {
        java.util.List<Kernels> kernels = new java.util.ArrayList<>(java.util.List.of(new ScalarKernels(),
                Kernels.best()));
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() && VectorInt8Kernel256.runsHere()) {
            kernels.add(new Int8Kernel256());
        }
        return kernels;
    }

    /** The plain kernels with {@link VectorInt8Kernel256}'s int8 products. */
    private static final class Int8Kernel256 extends ScalarKernels {
        @Override
        public void int8(byte[] q, float[] scales, int quads, float[] x, int n, float[] y, int yStride, int yOff,
                int p0, int p1) {
            VectorInt8Kernel256.product(q, scales, quads, x, n, y, yStride, yOff, p0, p1);
        }
    }

    @ParameterizedTest(name = "{0} x {1}, activation rows 1..40")
    @CsvSource({"9,64", "13,96", "6,100", "7,97", "5,257", "11,200", "4,31", "1,128", "70,64", "131,1056",
            "48,2112"})
    void skinnyKernelsMatchTheReferenceOnEveryByteValue(int rows, int cols) {
        SplittableRandom rng = new SplittableRandom(rows * 101L + cols);
        byte[] signed = fullRange(rows, cols, rng);
        float[] s = scales(rows, cols, rng);
        Int8Matrix m = Int8Matrix.of(rows, cols, signed.clone(), s, "test");
        int blocks = Int8Matrix.blocks(cols);
        for (int n = 1; n <= 40; n++) {
            float[] x = new float[n * cols];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rng.nextGaussian() * (i % 7 == 0 ? 100 : 1);
            }
            Object prepared = m.prepare(x, n);
            for (Kernels k : skinnyKernels()) {
                float[] y = new float[n * rows];
                int split = rows / 3 + 1; // two ranges, the first ending off a block of four
                m.kernel(k, prepared, x, n, y, 0, Math.min(split, rows));
                m.kernel(k, prepared, x, n, y, Math.min(split, rows), rows);
                for (int r = 0; r < n; r++) {
                    for (int o = 0; o < rows; o++) {
                        double ref = 0;
                        double mag = 0;
                        for (int c = 0; c < cols; c++) {
                            double t = (double) signed[o * cols + c] * s[o * blocks + c / Kernels.BLOCK] * x[r * cols + c];
                            ref += t;
                            mag += Math.abs(t);
                        }
                        double err = Math.abs(y[r * rows + o] - ref);
                        assertTrue(err <= TOL * mag + 1e-30, k.getClass().getSimpleName() + " n " + n + " row " + r
                                + " out " + o + ": " + y[r * rows + o] + " vs " + ref + " (|diff| " + err + ")");
                    }
                }
            }
        }
    }

    /**
     * {@link VectorInt8Kernel256} from two rows on, in both its forms (four rows at a time, and from
     * {@link VectorInt8Kernel256#TILE_ROWS} rows the dequantized chunks under the head tile), bit for bit one fused
     * multiply-add chain per output and chunk of 1,024 columns, the chunks' sums added in order: each weight rounded
     * once as q · d. Three chunks (2,112 columns), an odd number of panels (a panel paired with itself), and output
     * ranges that split the panels between two calls.
     */
    @Test
    void batchedAvx2ProductsAreOneChainPerChunkBitForBit() {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() && VectorInt8Kernel256.runsHere(),
                "no 256-bit vectors here");
        int rows = 5 * Int8Panels.P;
        int cols = 2112;
        SplittableRandom rng = new SplittableRandom(17);
        byte[] signed = fullRange(rows, cols, rng);
        float[] s = scales(rows, cols, rng);
        Int8Matrix m = Int8Matrix.of(rows, cols, signed.clone(), s, "test");
        int blocks = Int8Matrix.blocks(cols);
        float[] w = new float[rows * cols]; // the four-row form's weights: q · d, rounded once
        for (int o = 0; o < rows; o++) {
            for (int c = 0; c < cols; c++) {
                w[o * cols + c] = signed[o * cols + c] * s[o * blocks + c / Kernels.BLOCK];
            }
        }
        Kernels k = new Int8Kernel256();
        for (int n : new int[] {2, 4, 5, 8, 9, 16, 19, 170}) { // 170: two blocks of rows here, 168 and 2
            float[] x = new float[n * cols];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rng.nextGaussian();
            }
            Object prepared = m.prepare(x, n);
            float[] y = new float[n * rows];
            m.kernel(k, prepared, x, n, y, 0, 2 * Int8Panels.P); // one pair, then a pair and the last panel alone
            m.kernel(k, prepared, x, n, y, 2 * Int8Panels.P, rows);
            float[] want = TiledProductTest.chains(w, rows, cols, x, n);
            for (int r = 0; r < n; r++) {
                for (int o = 0; o < rows; o++) {
                    assertEquals(want[r * rows + o], y[r * rows + o], 0f, "n " + n + " row " + r + " out " + o);
                }
            }
        }
    }

    /**
     * Quantizing at load: the vector kernel's Q8_0 bytes and scales are the scalar ones bit for bit, and both are
     * ggml's formula with {@link Math#round}: random rows, rows whose values land exactly on halves after scaling
     * (ties, both signs), all-zero and single-value blocks, widths with a partial last block; a NaN or infinity is
     * reported at its column.
     */
    @Test
    void quantizationAtLoadIsTheScalarQ8BitForBit() {
        SplittableRandom rng = new SplittableRandom(23);
        Kernels vector = Kernels.best();
        Kernels scalar = new ScalarKernels();
        for (int cols : new int[] {32, 64, 97, 4096 + 40}) {
            for (int kind = 0; kind < 4; kind++) {
                float[] row = new float[cols];
                for (int c = 0; c < cols; c++) {
                    row[c] = switch (kind) {
                        case 0 -> (float) rng.nextGaussian() * 0.03f;
                        case 1 -> (rng.nextInt(255) - 127) * 0.5f; // max 63.5: d = 0.5, so x / d hits integers
                        case 2 -> c % 32 == 0 ? 127f : (rng.nextInt(509) - 254) * 0.25f; // d = 1: ties of both signs
                        default -> c % 64 < 32 ? 0f : (c % 64 == 40 ? -3f : 0f);
                    };
                }
                byte[] qv = new byte[cols];
                byte[] qs = new byte[cols];
                float[] sv = new float[Int8Matrix.blocks(cols)];
                float[] ss = new float[sv.length];
                assertEquals(-1, vector.quantizeQ8(row, cols, qv, 0, sv, 0));
                assertEquals(-1, scalar.quantizeQ8(row, cols, qs, 0, ss, 0));
                assertArrayEquals(qs, qv, cols + " cols, kind " + kind);
                assertArrayEquals(ss, sv, 0f, cols + " cols, kind " + kind);
                for (int c = 0; c < cols; c++) {
                    float d = ss[c / Kernels.BLOCK];
                    assertEquals(Math.round(row[c] * (d != 0 ? 1f / d : 0f)), qs[c], "column " + c);
                }
            }
            for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                float[] row = new float[cols];
                row[cols - 2] = bad;
                assertEquals(cols - 2, vector.quantizeQ8(row, cols, new byte[cols], 0, new float[cols], 0), "" + bad);
                assertEquals(cols - 2, scalar.quantizeQ8(row, cols, new byte[cols], 0, new float[cols], 0), "" + bad);
            }
        }
    }

    /** Natural-order widening of 16-bit rows (quantizing at load reads them so): every bf16 and f16 bit pattern. */
    @Test
    void widenedRowsInTheirOwnOrderAreTheScalarDecoding() {
        int cols = 1 << 16;
        java.nio.ByteBuffer w = java.nio.ByteBuffer.allocateDirect(2 * cols + 6).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < cols; i++) {
            w.putShort(6 + 2 * i, (short) i);
        }
        for (boolean f16 : new boolean[] {false, true}) {
            for (int n : new int[] {cols, 13}) {
                float[] v = new float[n + 1];
                float[] s = new float[n + 1];
                Kernels.best().widenRow(w, 6, n, f16, v, 1);
                new ScalarKernels().widenRow(w, 6, n, f16, s, 1);
                for (int c = 0; c <= n; c++) {
                    assertEquals(Float.floatToRawIntBits(s[c]), Float.floatToRawIntBits(v[c]), f16 + " value " + c);
                }
                assertEquals(ScalarKernels.decode((short) 12, f16), v[13], 0f);
            }
        }
    }

    /** The prefill widening: q · d rounded once, bit for bit the scalar dequantization, on every byte value. */
    @Test
    void widenedRowsAreTheScalarDequantizationBitForBit() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int cols : new int[] {64, 97, 256, 4096 + 40}) {
            int rows = 3;
            byte[] signed = fullRange(rows, cols, rng);
            float[] s = scales(rows, cols, rng);
            Int8Matrix m = Int8Matrix.of(rows, cols, signed.clone(), s, "test");
            for (int r = 0; r < rows; r++) {
                float[] scalar = new float[cols];
                float[] vector = new float[cols];
                m.widen(new ScalarKernels(), r, 0, cols, scalar, 0);
                m.widen(Kernels.best(), r, 0, cols, vector, 0);
                assertArrayEquals(scalar, vector, 0f, cols + " cols, row " + r);
                float[] plain = new float[cols];
                m.rowInto(r, plain, 0);
                for (int c = 0; c < cols; c++) {
                    float want = signed[r * cols + c] * s[r * Int8Matrix.blocks(cols) + c / Kernels.BLOCK];
                    assertEquals(want, plain[c], 0f, "row " + r + " col " + c);
                    assertEquals(want, scalar[PanelOrder.quad(c, cols)], 0f, "widened row " + r + " col " + c);
                }
            }
        }
    }

    /**
     * Held in panels, written back as the row-major signed values and scales a quantized folder stores: shapes laid
     * out in place (whole panels and blocks) and padded ones.
     */
    @ParameterizedTest(name = "{0} x {1}")
    @CsvSource({"5,70", "32,64", "48,96", "17,32", "16,33"})
    void writtenBytesAndScalesAreTheRowMajorValues(int rows, int cols) throws IOException {
        SplittableRandom rng = new SplittableRandom(9L * rows + cols);
        byte[] signed = fullRange(rows, cols, rng);
        float[] s = scales(rows, cols, rng);
        Int8Matrix m = Int8Matrix.of(rows, cols, signed.clone(), s.clone(), "test");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeQuantized(out);
        assertArrayEquals(signed, out.toByteArray());
        out.reset();
        m.writeQuantized(out); // writing does not change what is held
        assertArrayEquals(signed, out.toByteArray());
        assertArrayEquals(s, m.scales(), 0f);
    }
}
