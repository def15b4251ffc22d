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

    /**
     * From this many blocks of 32 activation rows on (S's 512 head-input rows, or several descriptions at once), each
     * weight panel is interleaved before use ({@link HeadKernel#blockInterleaved}). Measured on one core of the Intel
     * Xeon (BENCHMARKS.md, issue 16, ninth session): interleaving a panel costs about 1.8 µs and saves about 0.55 µs
     * per block, so it pays from 4 blocks on; at 1 block (L and M with one description) it was 1.4× slower.
     */
    static final int INTERLEAVE_MIN_BLOCKS = 4;

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

    /**
     * As {@link #multiply(FloatBuffer, int, float[], float[], int, int, int, Sink)} for the weight rows
     * {@code features[0..]} in that order: the sink's {@code feature0} is then a position in {@code features}, and
     * {@code block[f * ROWS_PER_BLOCK + i]} = y[row0 + i][features[feature0 + f]]. The order lets a caller group the
     * outputs that land next to each other in its arrays (B's (out, r) layout wants the r rows of one output feature
     * together), so that each cache line of the destination is written once instead of r times far apart.
     */
    public static void multiply(FloatBuffer w, int cols, float[] bias, float[] x, int m, int[] features, Sink sink) {
        multiply(HeadKernel.BEST, w, cols, bias, x, m, features, sink);
    }

    static void multiply(HeadKernel kernel, FloatBuffer w, int cols, float[] bias, float[] x, int m, int f0, int f1,
            Sink sink) {
        if (f0 < 0 || f0 > f1) {
            throw new IllegalArgumentException("head product: features [" + f0 + ", " + f1 + ")");
        }
        int[] features = new int[f1 - f0];
        for (int p = 0; p < features.length; p++) {
            features[p] = f0 + p;
        }
        multiply(kernel, w, cols, bias, x, m, features,
                (p0, nf, i0, rows, blk) -> sink.accept(f0 + p0, nf, i0, rows, blk));
    }

    static void multiply(HeadKernel kernel, FloatBuffer w, int cols, float[] bias, float[] x, int m, int[] features,
            Sink sink) {
        long wRows = w.capacity() / cols;
        for (int f : features) {
            if (f < 0 || f >= wRows || (bias != null && f >= bias.length)) {
                throw new IllegalArgumentException("head product: feature " + f + " outside W's " + wRows + " rows"
                        + (bias == null ? "" : " / the bias's " + bias.length));
            }
        }
        if (x.length < (long) m * cols) {
            throw new IllegalArgumentException("head product: x holds " + x.length + " floats for " + m + " × " + cols);
        }
        float[][] xt = transposedRowBlocks(x, m, cols);
        int count = features.length;
        int blocks = (count + FEATURES_PER_BLOCK - 1) / FEATURES_PER_BLOCK;
        boolean interleave = xt.length >= INTERLEAVE_MIN_BLOCKS;
        ComputePool.forRange(blocks, (long) count * cols, (b0, b1) -> {
            float[] panel = new float[FEATURES_PER_BLOCK * cols];
            float[] interleaved = interleave ? new float[FEATURES_PER_BLOCK * cols] : null;
            float[] out = new float[FEATURES_PER_BLOCK * ROWS_PER_BLOCK];
            for (int blk = b0; blk < b1; blk++) {
                int p0 = blk * FEATURES_PER_BLOCK;
                int nf = Math.min(FEATURES_PER_BLOCK, count - p0);
                copyPanel(w, cols, features, p0, nf, panel);
                if (interleave) {
                    interleave(panel, cols, interleaved);
                }
                for (int c = 0; c < xt.length; c++) {
                    if (interleave) {
                        kernel.blockInterleaved(interleaved, cols, xt[c], out);
                    } else {
                        kernel.block(panel, cols, xt[c], out);
                    }
                    int rows = Math.min(ROWS_PER_BLOCK, m - c * ROWS_PER_BLOCK);
                    if (bias != null) {
                        for (int f = 0; f < nf; f++) {
                            float bj = bias[features[p0 + f]];
                            for (int i = 0; i < rows; i++) {
                                out[f * ROWS_PER_BLOCK + i] += bj; // one rounding, as the engine's add
                            }
                        }
                    }
                    sink.accept(p0, nf, c * ROWS_PER_BLOCK, rows, out);
                }
            }
        });
    }

    /** Weight rows features[p0..p0+nf) into the panel (one copy when they are consecutive), zeros past nf. */
    private static void copyPanel(FloatBuffer w, int cols, int[] features, int p0, int nf, float[] panel) {
        int run = 1;
        while (run < nf && features[p0 + run] == features[p0] + run) {
            run++;
        }
        if (run == nf) {
            w.get(features[p0] * cols, panel, 0, nf * cols);
        } else {
            for (int f = 0; f < nf; f++) {
                w.get(features[p0 + f] * cols, panel, f * cols, cols);
            }
        }
        if (nf < FEATURES_PER_BLOCK) {
            java.util.Arrays.fill(panel, nf * cols, panel.length, 0f);
        }
    }

    /** panel[f·cols + k] → interleaved[k·8 + f]. */
    static void interleave(float[] panel, int cols, float[] interleaved) {
        for (int f = 0; f < FEATURES_PER_BLOCK; f++) {
            int from = f * cols;
            for (int k = 0; k < cols; k++) {
                interleaved[k * FEATURES_PER_BLOCK + f] = panel[from + k];
            }
        }
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
