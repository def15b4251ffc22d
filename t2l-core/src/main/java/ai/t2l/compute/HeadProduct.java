package ai.t2l.compute;

import java.nio.FloatBuffer;

/**
 * y = x·Wᵀ + b for a hypernetwork head: a tall float32 weight W (features, cols), read in place from engine memory,
 * against a few dozen activation rows x (m, cols) in Java. The results never form a (m, features) array: they reach
 * the caller in blocks of {@link #FEATURES_PER_BLOCK} features × {@link #ROWS_PER_BLOCK} rows, so an adapter readout
 * can put each value straight where it belongs (B's transposition, offsets) while the block is in L1.
 *
 * <p>Why not the engine: for these skinny shapes (32 × 512 × 65,536 for the L head) libtorch's product ran at about
 * half the speed of this kernel in paired runs (BENCHMARKS.md, issue 16), and its (m, features) output then had to be
 * written, sliced and copied out of engine memory three more times. Training keeps the engine (autograd); this is
 * for generation only. Float32 accumulation; the sum order differs from libtorch's (max |Δ| ≈ 2e-6 on outputs of
 * magnitude ≈ 1, within the golden adapters' 1e-5).
 */
public final class HeadProduct {
    /** Weight rows per register block (one panel of 8 × cols floats, reused by every row block). */
    public static final int FEATURES_PER_BLOCK = 8;
    /** Activation rows per register block (two 16-lane vectors). */
    public static final int ROWS_PER_BLOCK = 32;

    /** Receives finished outputs: {@code block[f * ROWS_PER_BLOCK + i]} = y[row0 + i][feature0 + f]. */
    public interface Sink {
        void accept(int feature0, int features, int row0, int rows, float[] block);
    }

    private HeadProduct() {}

    /**
     * True when the vector kernel runs here (Vector API module present, 512-bit vectors). Otherwise callers should
     * keep the engine's product: the plain-Java kernel is for tests and is several times slower.
     */
    public static boolean fast() {
        return HeadKernel.BEST != HeadKernel.SCALAR;
    }

    /**
     * Computes features [f0, f1) of x·Wᵀ + b for all m rows of x and hands every block to {@code sink}, from up to
     * {@link ComputePool#THREADS} threads at once (each block exactly once; blocks of different threads never share
     * a feature, so a sink that writes feature-indexed places needs no locking).
     *
     * @param w W row-major, (features, cols), at least f1 rows
     * @param bias b (features), or null
     * @param x (m, cols) row-major
     */
    public static void multiply(FloatBuffer w, int cols, float[] bias, float[] x, int m, int f0, int f1, Sink sink) {
        multiply(HeadKernel.BEST, w, cols, bias, x, m, f0, f1, sink);
    }

    static void multiply(HeadKernel kernel, FloatBuffer w, int cols, float[] bias, float[] x, int m, int f0, int f1,
            Sink sink) {
        if (x.length < (long) m * cols || w.capacity() < (long) f1 * cols || f0 < 0 || f0 > f1) {
            throw new IllegalArgumentException("head product: x holds " + x.length + " floats for " + m + " × " + cols
                    + ", W holds " + w.capacity() + " for features [" + f0 + ", " + f1 + ") × " + cols);
        }
        float[][] xt = transposedRowBlocks(x, m, cols);
        int blocks = (f1 - f0 + FEATURES_PER_BLOCK - 1) / FEATURES_PER_BLOCK;
        ComputePool.forRange(blocks, (long) (f1 - f0) * cols, (b0, b1) -> {
            float[] panel = new float[FEATURES_PER_BLOCK * cols];
            float[] out = new float[FEATURES_PER_BLOCK * ROWS_PER_BLOCK];
            for (int blk = b0; blk < b1; blk++) {
                int j = f0 + blk * FEATURES_PER_BLOCK;
                int nf = Math.min(FEATURES_PER_BLOCK, f1 - j);
                w.get(j * cols, panel, 0, nf * cols);
                if (nf < FEATURES_PER_BLOCK) {
                    java.util.Arrays.fill(panel, nf * cols, panel.length, 0f);
                }
                for (int c = 0; c < xt.length; c++) {
                    kernel.block(panel, cols, xt[c], out);
                    int rows = Math.min(ROWS_PER_BLOCK, m - c * ROWS_PER_BLOCK);
                    if (bias != null) {
                        for (int f = 0; f < nf; f++) {
                            float bj = bias[j + f];
                            for (int i = 0; i < rows; i++) {
                                out[f * ROWS_PER_BLOCK + i] += bj; // one rounding, as the engine's add
                            }
                        }
                    }
                    sink.accept(j, nf, c * ROWS_PER_BLOCK, rows, out);
                }
            }
        });
    }

    /** x (m, cols) as blocks of 32 rows, each transposed to (cols, 32) and zero-padded past row m. */
    static float[][] transposedRowBlocks(float[] x, int m, int cols) {
        float[][] out = new float[(m + ROWS_PER_BLOCK - 1) / ROWS_PER_BLOCK][];
        for (int c = 0; c < out.length; c++) {
            float[] t = new float[cols * ROWS_PER_BLOCK];
            int rows = Math.min(ROWS_PER_BLOCK, m - c * ROWS_PER_BLOCK);
            for (int i = 0; i < rows; i++) {
                int src = (c * ROWS_PER_BLOCK + i) * cols;
                for (int k = 0; k < cols; k++) {
                    t[k * ROWS_PER_BLOCK + i] = x[src + k];
                }
            }
            out[c] = t;
        }
        return out;
    }
}
