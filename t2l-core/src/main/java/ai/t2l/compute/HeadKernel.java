package ai.t2l.compute;

/**
 * The register block of {@link HeadProduct}: out[f·32 + i] = Σ_k panel[f·cols + k] · xt[k·32 + i] for 8 weight rows
 * (f) and 32 activation rows (i). Each weight value is broadcast and multiplied into two 16-lane vectors of
 * activations, so no horizontal sums are needed; 16 accumulators stay in registers for the whole k loop.
 * {@link VectorHeadKernel} when the Vector API module is present (as {@link Kernels#best}), else plain Java with the
 * same summation order (k ascending, one fused multiply-add per step). The two panel layouts give the same sums, bit
 * for bit: only where the eight weights of one k are read from differs.
 */
interface HeadKernel {
    /** Plain Java. Declared before BEST, which falls back to it: interface fields initialise in textual order. */
    HeadKernel SCALAR = (panel, cols, xt, out) -> {
        int fs = HeadProduct.FEATURES_PER_BLOCK;
        int rs = HeadProduct.ROWS_PER_BLOCK;
        for (int f = 0; f < fs; f++) {
            for (int i = 0; i < rs; i++) {
                float acc = 0f;
                for (int k = 0; k < cols; k++) {
                    acc = Math.fma(panel[f * cols + k], xt[k * rs + i], acc);
                }
                out[f * rs + i] = acc;
            }
        }
    };

    HeadKernel BEST = choose();

    void block(float[] panel, int cols, float[] xt, float[] out);

    /**
     * {@link #block} with the panel interleaved: panel[k·8 + f] instead of panel[f·cols + k], so that the eight
     * weights of one k lie in one 32-byte run. The vector kernel ran about 1.4× faster on it (163-168 against 112-123
     * GFLOP/s on one core of the Intel Xeon, weights in cache; BENCHMARKS.md, issue 16, ninth session), but
     * interleaving costs about three blocks' worth of time per panel, so {@link HeadProduct} uses it only when a
     * panel serves at least {@link HeadProduct#INTERLEAVE_MIN_BLOCKS} row blocks. Plain Java: {@link #block} on
     * the panel put back in rows.
     */
    default void blockInterleaved(float[] panel, int cols, float[] xt, float[] out) {
        block(rowMajor(panel, cols), cols, xt, out);
    }

    /** The row-major panel of an interleaved one. */
    private static float[] rowMajor(float[] interleaved, int cols) {
        int fs = HeadProduct.FEATURES_PER_BLOCK;
        float[] p = new float[fs * cols];
        for (int k = 0; k < cols; k++) {
            for (int f = 0; f < fs; f++) {
                p[f * cols + k] = interleaved[k * fs + f];
            }
        }
        return p;
    }

    private static HeadKernel choose() {
        // VectorHeadKernel's constructor refuses a CPU without 512-bit vectors: plain Java then
        HeadKernel k = VectorApi.load(HeadKernel.class, "ai.t2l.compute.VectorHeadKernel", unused -> { });
        return k != null ? k : SCALAR;
    }
}
