package ai.t2l.compute;

import ai.t2l.io.Half;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Mapped bf16 weights through {@link TiledProduct} and {@link Bf16Groups}: each output, bit for bit, is one fused
 * multiply-add chain per chunk of {@link TiledProduct#CHUNK_COLS} columns (k ascending from zero), the chunks' sums
 * added in order, which is what the head tile computes on correctly transposed panels. Shapes with a short last group
 * of rows, widths with a column tail that is not a multiple of four, several column chunks, two blocks of activation
 * rows, and matrices mapped in several pieces.
 */
class TiledProductTest {
    @ParameterizedTest(name = "{0} x {1}, mapped in pieces of {2} bytes")
    @CsvSource({"70,96,1073741824", "33,2306,1073741824", "100,1030,20600", "64,4097,1073741824"})
    void bf16ProductsAreOneChainPerChunkBitForBit(int rows, int cols, long pieceBytes) {
        SplittableRandom rng = new SplittableRandom(rows * 31L + cols);
        float[] w = new float[rows * cols];
        ByteBuffer buf = bf16Weights(rng, w);
        HalfMatrix m = mapped(buf, rows, cols, pieceBytes);
        int blockRows = 8 * Math.max(1, TiledProduct.BLOCK_TILES / ((cols + TiledProduct.CHUNK_COLS - 1)
                / TiledProduct.CHUNK_COLS));
        for (int n : new int[] {1, 5, 48, blockRows + 3}) {
            float[] x = new float[n * cols];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rng.nextGaussian();
            }
            float[] want = chains(w, rows, cols, x, n);
            float[] direct = new float[n * rows];
            Bf16Groups all = new Bf16Groups(buf, cols, rows, 0);
            TiledProduct.product(all, cols, x, n, direct, rows, 0, 1); // the first group, then the rest
            TiledProduct.product(all, cols, x, n, direct, rows, 1, all.count());
            assertEquals(want, direct, "Bf16Groups over the whole buffer, n " + n);
            Kernels k = Kernels.best();
            if (k.bf16Tiles()) { // the matrix's own route (pieces, both cores) on CPUs that take it
                float[] routed = new float[n * rows];
                m.panelProduct(k, x, n, routed);
                assertEquals(want, routed, "HalfMatrix.panelProduct, n " + n);
            }
        }
    }

    private static void assertEquals(float[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) {
            org.junit.jupiter.api.Assertions.assertEquals(want[i], got[i], 0f, what + " element " + i);
        }
    }

    /**
     * The plain chains (also the int8 kernels' reference, Int8KernelsTest): per output, per column chunk of
     * {@link TiledProduct#CHUNK_COLS}, Math.fma from zero with k ascending; the chunks added in order.
     */
    static float[] chains(float[] w, int rows, int cols, float[] x, int n) {
        float[] y = new float[n * rows];
        for (int r = 0; r < n; r++) {
            for (int o = 0; o < rows; o++) {
                float total = 0f;
                for (int c0 = 0; c0 < cols; c0 += TiledProduct.CHUNK_COLS) {
                    float sum = 0f;
                    for (int c = c0; c < Math.min(cols, c0 + TiledProduct.CHUNK_COLS); c++) {
                        sum = Math.fma(x[r * cols + c], w[o * cols + c], sum);
                    }
                    total = c0 == 0 ? sum : total + sum;
                }
                y[r * rows + o] = total;
            }
        }
        return y;
    }

    /** Gaussian weights (scale 0.05) rounded to bf16: their bits in a little-endian buffer, their values into w. */
    static ByteBuffer bf16Weights(SplittableRandom rng, float[] w) {
        ByteBuffer buf = ByteBuffer.allocateDirect(2 * w.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < w.length; i++) {
            short bits = Half.bf16FromFloat((float) rng.nextGaussian() * 0.05f);
            buf.putShort(2 * i, bits);
            w[i] = Float.intBitsToFloat(bits << 16);
        }
        return buf;
    }

    /** The buffer as a mapped bf16 (rows, cols) matrix, in pieces of at most {@code pieceBytes}. */
    static HalfMatrix mapped(ByteBuffer buf, int rows, int cols, long pieceBytes) {
        return HalfMatrix.mapped(rows, cols, false,
                (off, len) -> buf.slice((int) off, (int) len).order(ByteOrder.LITTLE_ENDIAN), pieceBytes);
    }
}
