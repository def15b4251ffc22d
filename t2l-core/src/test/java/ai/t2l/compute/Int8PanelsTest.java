package ai.t2l.compute;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.io.T2lException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The int8 panel layout as the loader builds it: the strip transposition against a byte-by-byte one, and the
 * strip-wise quantizer against quantizing each row on its own (the scalar Q8 of {@link ScalarKernels}), read back
 * through the row-major writer that quantized folders use.
 */
class Int8PanelsTest {
    @Test
    void aStripIsTheByteByByteTransposition() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int width : new int[] {8, 32, 104, 2304}) {
            byte[] src = new byte[5 + Int8Panels.P * width];
            rng.nextBytes(src);
            byte[] dst = new byte[7 + Int8Panels.P * width];
            Int8Panels.strip(src, 5, width, dst, 7);
            for (int i = 0; i < Int8Panels.P; i++) {
                for (int c = 0; c < width; c++) {
                    assertEquals(src[5 + i * width + c], dst[7 + c * Int8Panels.P + i], "width " + width + ", row " + i
                            + ", column " + c);
                }
            }
        }
    }

    /** Shapes with and without padding rows and columns, given whole, in slabs of one strip, and in uneven slabs. */
    @Test
    void stripWiseQuantizationIsEachRowQuantizedOnItsOwn() throws IOException {
        SplittableRandom rng = new SplittableRandom(11);
        int[][] shapes = {{16, 64}, {37, 100}, {5, 32}, {48, 2304}, {33, 8}};
        for (int[] shape : shapes) {
            int rows = shape[0];
            int cols = shape[1];
            float[] w = new float[rows * cols];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) rng.nextGaussian() * (i % 7 == 0 ? 3f : 0.02f);
            }
            int blocks = Int8Matrix.blocks(cols);
            byte[] q = new byte[rows * cols];
            float[] scales = new float[rows * blocks];
            for (int r = 0; r < rows; r++) {
                float[] row = java.util.Arrays.copyOfRange(w, r * cols, (r + 1) * cols);
                assertEquals(-1, new ScalarKernels().quantizeQ8(row, cols, q, r * cols, scales, r * blocks));
            }
            for (int slab : new int[] {rows, 16, 32}) {
                Int8Matrix.Quantizer z = Int8Matrix.quantizer(rows, cols);
                for (int r0 = 0; r0 < rows; r0 += slab) {
                    int from = r0;
                    z.rows(r0, Math.min(slab, rows - r0), (r, dst) -> System.arraycopy(w, (from + r) * cols, dst, 0,
                            cols));
                }
                Int8Matrix m = z.finish();
                String what = rows + " x " + cols + " in slabs of " + slab;
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                m.writeQuantized(out);
                assertArrayEquals(q, out.toByteArray(), what);
                assertArrayEquals(scales, m.scales(), 0f, what);
                float[] row = new float[cols];
                m.rowInto(rows - 1, row, 0);
                for (int c = 0; c < cols; c++) {
                    assertEquals(q[(rows - 1) * cols + c] * scales[(rows - 1) * blocks + c / 32], row[c], 0f, what);
                }
                // the same bytes through the stored-folder path (row-major in, laid out by fromRowMajor)
                Int8Matrix stored = Int8Matrix.of(rows, cols, q.clone(), scales.clone(), "stored");
                ByteArrayOutputStream again = new ByteArrayOutputStream();
                stored.writeQuantized(again);
                assertArrayEquals(q, again.toByteArray(), what + ", stored");
            }
        }
    }

    @Test
    void slabsOutOfOrderOrShortAreRefusedAndABadWeightNamesItsRow() {
        Int8Matrix.Quantizer z = Int8Matrix.quantizer(40, 32);
        Int8Matrix.Rows zeros = (r, dst) -> java.util.Arrays.fill(dst, 0f);
        assertThrows(IllegalArgumentException.class, () -> z.rows(16, 16, zeros), "a slab before its turn");
        assertThrows(IllegalArgumentException.class, () -> z.rows(0, 10, zeros), "part of a strip, not the last rows");
        z.rows(0, 16, zeros);
        assertThrows(IllegalStateException.class, z::finish, "24 rows never given");
        T2lException e = assertThrows(T2lException.class, () -> z.rows(16, 24, (r, dst) -> {
            java.util.Arrays.fill(dst, 0f);
            dst[3] = r == 5 ? Float.NaN : 0f;
        }));
        assertTrue(e.getMessage().contains("holds NaN at index [21, 3]"), e.getMessage());
        T2lException big = assertThrows(T2lException.class, () -> Int8Matrix.quantizer(1L << 20, 1L << 12));
        assertTrue(big.getMessage().contains("1048576 x 4096 matrix is too large for one int8 array"), big.getMessage());
    }
}
