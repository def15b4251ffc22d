package ai.t2l.compute;

import java.nio.ByteBuffer;

/**
 * The inner loops of skinny products y = x Wᵀ for a few activation rows (decode: 1; batched decode: up to a few
 * dozen): each weight row is read from memory once per call and used for every activation row while it is in L1.
 * Two implementations: {@link VectorKernels} (Java Vector API, chosen when the JVM runs with
 * {@code --add-modules jdk.incubator.vector}) and {@link ScalarKernels} (plain Java, same results up to summation
 * order). Float32 accumulation everywhere.
 *
 * <p>Activation layouts, prepared once per call by {@link Skinny}: 16-bit weights are read as int pairs (element
 * 2j in the low half, 2j+1 in the high half), so x arrives split into {@code xe[r·half + j] = x[r][2j]} and
 * {@code xo[r·half + j] = x[r][2j+1]}; {@code x} is the plain row-major copy for the tails. int8 weights are held in
 * panels whose lanes are output rows ({@link Int8Panels}), so their activations stay row-major.
 */
interface Kernels {
    /** Weights of 32 int8 values share one float32 scale (llama.cpp Q8_0 layout, float32 scale). */
    int BLOCK = 32;

    /**
     * y[r·yStride + o] = Σ_c W[o][c]·x[r][c] for o in [o0, o1), r in [0, n). Row o of W starts at byte
     * (o - base)·cols·2 of {@code w} (little-endian bfloat16 or, when {@code f16}, IEEE half).
     */
    void half(ByteBuffer w, int base, int cols, boolean f16, float[] xe, float[] xo, float[] x, int n, float[] y,
            int yStride, int o0, int o1);

    /**
     * int8 weights in 16-row panels ({@link Int8Panels}: signed values, a float32 scale per row and block of 32):
     * y[r·yStride + yOff + 16·(p − p0) + i] = Σ_c W[16p + i][c]·x[r·4·quads + c] for every panel p in [p0, p1) and
     * lane i in [0, 16) (a padded row's lane included), r in [0, n); x rows are padded to 4·quads columns.
     */
    void int8(byte[] q, float[] scales, int quads, float[] x, int n, float[] y, int yStride, int yOff, int p0, int p1);

    /**
     * Prefill: the row of 16-bit weights at byte {@code off} of {@code w}, widened to float32 into
     * {@code dst[at, at + cols)} in {@link PanelOrder} pair order.
     */
    void widenHalf(ByteBuffer w, int off, int cols, boolean f16, float[] dst, int at);

    /**
     * Prefill: a float32 panel of m weight rows (row k at {@code w[k·len]}) against n activation rows (row r at
     * {@code x[xOff + r·len]}, same column order): y[r·yStride + o + k] += Σ_j w[k·len + j]·x[r·len + j] (adds, so that a
     * row cut into column chunks accumulates chunk by chunk).
     */
    void panel(float[] w, int m, int len, float[] x, int xOff, int n, float[] y, int yStride, int o);

    /**
     * Columns [0, cols) of the 16-bit row at byte {@code off} of {@code w}, widened to float32 in their own order into
     * {@code dst[at, at + cols)} (exact: bf16 and f16 values are float32 values).
     */
    void widenRow(ByteBuffer w, int off, int cols, boolean f16, float[] dst, int at);

    /**
     * llama.cpp's Q8_0 quantization of {@code row[0, cols)} in blocks of {@link #BLOCK} (ggml
     * {@code quantize_row_q8_0_ref}): per block d = max|x| / 127 into {@code scales[sOff + b]}, and each value
     * x · (1 / d) (one rounding; 0 where d is 0) rounded to the nearest integer into {@code q[qOff + c]}, exact ties
     * up as {@link Math#round} (ggml's {@code roundf} takes them away from zero: −2.5 is −2 here, −3 there; kept so
     * that folders quantized by earlier versions load to the same bytes). Returns -1, or the column of the first NaN
     * or infinity (the outputs are then undefined). Both kernels give the same bytes and scales.
     */
    int quantizeQ8(float[] row, int cols, byte[] q, int qOff, float[] scales, int sOff);

    /**
     * Whether bfloat16 products from {@link HalfMatrix}'s panel threshold on go through {@link TiledProduct} (each
     * 32-row chunk transposed for the head tile) rather than float32 panels and the dot-form kernel
     * {@link #panel}: true where that was measured faster, on 256-bit vectors (AVX2), whose 16 registers leave the
     * dot form's 4 × 4 block of accumulators spilling. 512-bit CPUs keep the panels until measured there.
     */
    default boolean bf16Tiles() {
        return false;
    }

    /**
     * The byte offset in [from, to) of the first bf16 (or, when {@code f16}, IEEE half) value of {@code w} that is
     * NaN or infinite (all exponent bits set), or -1. {@code from} and {@code to} are even.
     */
    int firstNonFiniteHalf(ByteBuffer w, int from, int to, boolean f16);

    /** The index in [from, to) of the first NaN or infinity of {@code x}, or -1. */
    int firstNonFinite(float[] x, int from, int to);

    /**
     * SiLU in place on the float32 values [from, to) of {@code b} (native byte order, indices in floats):
     * x · (1 / (1 + e^(−x))), PyTorch's {@code x * sigmoid(x)} with its two roundings; the exponential's last bit
     * may differ from libtorch's (SVML on the vector path, {@link Math#exp} in plain Java).
     */
    void silu(ByteBuffer b, int from, int to);

    /** {@link #silu(ByteBuffer, int, int)} on the values [from, to) of a Java array: the same bits. */
    void silu(float[] a, int from, int to);

    /**
     * {@link #silu(float[], int, int)} on a range that is part of one operation over {@code whole} values (the
     * range one core takes of it, or one block of rows): the kernel chooses its form by the operation's size.
     */
    default void silu(float[] a, int from, int to, long whole) {
        silu(a, from, to);
    }

    /**
     * GELU, tanh form, in place on the float32 values [from, to) of {@code b} (native byte order, indices in floats):
     * PyTorch's {@code 0.5·x·(1 + tanh(u))}, u = √(2/π)·(x + 0.044715·x³), computed as x · sigmoid(2u) = x / (1 +
     * e^(−2u)) (the same function: 1 + tanh(u) = 2·sigmoid(2u)) with {@link Exp}'s exponential, so both kernels give
     * the same bits; it differs from libtorch's by float rounding only.
     */
    void geluTanh(ByteBuffer b, int from, int to);

    /**
     * Gemma 2's soft-capping c·tanh(x / c) in place on the float32 values [from, to) of b (native byte order, indices
     * in floats), part of one operation over {@code whole} values (which decides the kernel's form, as for SiLU):
     * computed as 2c / (1 + e^(−2x/c)) − c (tanh(u) = 2·sigmoid(2u) − 1) with {@link Exp}'s exponential, so both
     * kernels give the same bits. It differs from libtorch's c·tanh(x / c) by float rounding: about c·2^−23 absolute
     * near 0, where the form subtracts c.
     */
    void softcap(ByteBuffer b, int from, int to, float cap, long whole);

    /**
     * One AdamW update in place on the float32 values [from, to) of p, m and v (native byte order, indices in
     * floats), with gradient g: every value goes through the float32 operations of {@link AdamWStep} in that order,
     * each rounded (no fused multiply-add), so both kernels give the same values bit for bit, and the engine's ops'
     * up to its own rounding of a division by a scalar (TrainOptimTest).
     */
    void adamW(ByteBuffer p, ByteBuffer g, ByteBuffer m, ByteBuffer v, int from, int to, AdamWStep s);

    /**
     * What a softmax needs of the float32 values [from, to) of x (native byte order, indices in floats):
     * {@code stats[0]} = max, {@code stats[1]} = Σ e^(x − max) with {@link Exp}'s exponential, {@code stats[2]} = Σ x
     * (float32 sums, in the kernel's order).
     */
    void softmaxStats(ByteBuffer x, int from, int to, float[] stats);

    /** out[i] = scale · e^(x[i] − shift) − minus for i in [from, to) ({@link Exp}'s exponential; indices in floats). */
    void scaledExp(ByteBuffer x, ByteBuffer out, int from, int to, float shift, float scale, float minus);

    /**
     * Part of an L1 loss over the float32 values [at, at + n) of p (native byte order, indices in floats), for i in
     * [from, n): with d = p[at + i] − t[tOff + i], acc[i] += |d| and out[at + i] = sgn(d) · scale ({@link L1Sign#sgn}).
     * Element by element, each operation rounded, so both kernels give the same bits.
     */
    void l1Sign(ByteBuffer p, ByteBuffer out, int at, float[] t, int tOff, int from, int n, float scale, float[] acc);

    /** The kernels this JVM can run: the Vector API when its incubator module is present, else plain Java. */
    static Kernels best() {
        return Holder.BEST;
    }

    final class Holder {
        static final Kernels BEST = choose();

        private static Kernels choose() {
            Kernels k = VectorApi.load(Kernels.class, "ai.t2l.compute.VectorKernels", Holder::selfTest);
            return k != null ? k : new ScalarKernels();
        }

        /** One small product of each kind, so that a Vector API this code was not compiled against fails here. */
        private static void selfTest(Kernels k) {
            int cols = 128;
            java.nio.ByteBuffer w = java.nio.ByteBuffer.allocate(8 * cols).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            float[] x = new float[cols];
            float[] half = new float[cols / 2];
            float[] y = new float[4];
            k.half(w, 0, cols, false, half, half, x, 1, y, 4, 0, 4);
            k.int8(new byte[16 * cols], new float[16 * cols / BLOCK], cols / 4, x, 1, new float[16], 16, 0, 0, 1);
            k.firstNonFiniteHalf(w, 0, 2 * cols, false);
            k.firstNonFinite(new float[512], 0, 512);
            k.silu(ByteBuffer.allocateDirect(4 * 40).order(java.nio.ByteOrder.nativeOrder()), 0, 40);
            k.silu(new float[40], 0, 40);
            k.geluTanh(ByteBuffer.allocateDirect(4 * 40).order(java.nio.ByteOrder.nativeOrder()), 0, 40);
            k.softcap(ByteBuffer.allocateDirect(4 * 40).order(java.nio.ByteOrder.nativeOrder()), 0, 40, 30f, 40);
            ByteBuffer z = ByteBuffer.allocateDirect(4 * 40).order(java.nio.ByteOrder.nativeOrder());
            k.adamW(z, z.duplicate().order(z.order()), z.duplicate().order(z.order()), z.duplicate().order(z.order()),
                    0, 40, new AdamWStep(0.5f, 0.1f, 0.999f, 0.001f, 1f, 1f, 1e-8f, -1e-3f));
            k.softmaxStats(z, 0, 40, new float[3]);
            k.scaledExp(z, z.duplicate().order(z.order()), 0, 40, 0f, 1f, 0f);
            float[] panel = new float[4 * cols];
            k.widenHalf(w, 0, cols, false, panel, 0);
            k.widenRow(w, 0, cols, false, panel, 0);
            k.quantizeQ8(panel, cols, new byte[cols], 0, new float[cols / BLOCK], 0);
            k.panel(panel, 4, cols, x, 0, 1, y, 4, 0);
            k.l1Sign(z, z.duplicate().order(z.order()), 0, new float[40], 0, 0, 40, 0.5f, new float[40]);
        }

        private Holder() {}
    }
}
