package ai.t2l.compute;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Float32 products of bfloat16 weights used in place with a few activation rows (decode, batched decode, prompts
 * under {@link HalfMatrix#panelFrom}), in the native library beside {@link Bf16Dot} ({@code bf16-rows.c}). The same
 * arithmetic as the Java kernels ({@link Kernels#half}: exact widening, float32 fused multiply-adds, float32
 * activations); only the order of the sums differs, and it does not depend on the number of threads or rows.
 *
 * <p>Why native: at 8 activation rows it runs about 1.4× the Java kernel's multiply-adds per second on weights
 * streamed from memory, through a prefetch of the next weight rows and a 3 × 8 register tile that Java cannot
 * express (docs/WEIGHTS.md, "Few rows of bf16 weights in C"). Used wherever {@link NativeRows#available}.
 */
final class Bf16Rows {
    /** Floats of one block of one activation row: 16 even columns, then 16 odd ones. */
    static final int BLOCK = 32;

    /**
     * A native call's multiply-adds, about 0.1 ms: the activation and output arrays are held as JNI critical regions
     * during a call, which holds off the collector, so long products are cut into calls of this size.
     */
    private static final long CALL_FMAS = 1L << 22;

    private Bf16Rows() {}

    /**
     * x ((n, cols) row-major) in the native layout: block b of row r at {@code [(b·n + r)·32]}, its even columns
     * (2t at t) then its odd ones (2t + 1 at 16 + t), zeros past the row's end.
     */
    static float[] pack(float[] x, int n, int cols) {
        float[] xb = new float[Math.multiplyExact(Math.multiplyExact(blocks(cols), n), BLOCK)];
        for (int r = 0; r < n; r++) {
            for (int c0 = 0, b = 0; c0 < cols; c0 += BLOCK, b++) {
                int at = (b * n + r) * BLOCK;
                int from = r * cols + c0;
                int len = Math.min(BLOCK, cols - c0);
                for (int t = 0; t < len; t++) {
                    xb[at + (t & 1) * 16 + (t >> 1)] = x[from + t];
                }
            }
        }
        return xb;
    }

    /**
     * y[r·yStride + o] = Σ_c x[r][c]·w[o][c] for the weight rows o in [o0, o1), whose row o starts
     * {@code (o − base)·cols·2} bytes into the direct buffer w (bf16, little-endian), and r in [0, n); xb from
     * {@link #pack}. Every index is checked here: the native side trusts them.
     */
    static void product(ByteBuffer w, int base, int cols, float[] xb, int n, float[] y, int yStride, int o0, int o1) {
        check(w, base, cols, n, y, yStride, o0, o1);
        Objects.checkFromIndexSize(0, (long) blocks(cols) * BLOCK * n, xb.length);
        calls(cols, n, o0, o1, (o, count) -> productUnchecked(w, (o - base) * 2L * cols, cols, count, xb, n, y,
                yStride, o));
    }

    /**
     * x ((n, cols) row-major) rounded to bfloat16 for {@link #dot}, by the CPU (VCVTNE2PS2BF16: nearest even, as
     * torch's cast; NaN stays NaN; a subnormal becomes zero, as the dot product reads one): block b of row r at
     * {@code [(b·n + r)·16]}, int t holding columns 32b + 2t (low half) and 32b + 2t + 1, zeros past the row's end.
     */
    static int[] packDot(float[] x, int n, int cols) {
        Bf16Dot.requireLoaded("bf16 rows");
        if (n < 1 || cols < 1) {
            throw new IllegalArgumentException("bf16 rows: " + n + " rows × " + cols);
        }
        Objects.checkFromIndexSize(0, (long) n * cols, x.length);
        int[] xb = new int[Math.multiplyExact(Math.multiplyExact(blocks(cols), n), BLOCK / 2)];
        dotPackUnchecked(x, n, cols, xb);
        return xb;
    }

    /**
     * {@link #product} with the activations rounded to bfloat16 ({@link #packDot}) and AVX512_BF16 dot products (the
     * optional {@code --products bf16dot}): per lane and block of 32 columns, acc + the odd column's product, then +
     * the even one's, each product exact and each sum rounded (Intel's VDPBF16PS).
     */
    static void dot(ByteBuffer w, int base, int cols, int[] xb, int n, float[] y, int yStride, int o0, int o1) {
        check(w, base, cols, n, y, yStride, o0, o1);
        Objects.checkFromIndexSize(0, (long) blocks(cols) * (BLOCK / 2) * n, xb.length);
        calls(cols, n, o0, o1, (o, count) -> dotUnchecked(w, (o - base) * 2L * cols, cols, count, xb, n, y,
                yStride, o));
    }

    private static int blocks(int cols) {
        return (cols + BLOCK - 1) / BLOCK;
    }

    private static void check(ByteBuffer w, int base, int cols, int n, float[] y, int yStride, int o0, int o1) {
        if (!w.isDirect()) {
            throw new IllegalArgumentException("bf16 rows: the weights are not in a direct buffer");
        }
        if (cols < 1 || n < 1 || o0 < base || o1 < o0 || o1 > yStride) {
            throw new IllegalArgumentException("bf16 rows: cols " + cols + ", " + n + " rows, outputs [" + o0 + ", "
                    + o1 + ") from " + base + " of " + yStride);
        }
        long rowBytes = 2L * cols;
        Objects.checkFromIndexSize((o0 - base) * rowBytes, (o1 - o0) * rowBytes, w.capacity());
        Objects.checkFromIndexSize(0, (long) (n - 1) * yStride + o1, y.length);
        Bf16Dot.requireLoaded("bf16 rows");
    }

    private interface Call {
        void rows(int o, int count);
    }

    /** [o0, o1) in calls of about {@link #CALL_FMAS} multiply-adds, whole tiles of three rows. */
    private static void calls(int cols, int n, int o0, int o1, Call call) {
        int step = (int) Math.max(3, CALL_FMAS / ((long) cols * n) / 3 * 3);
        for (int o = o0; o < o1; o += step) {
            call.rows(o, Math.min(step, o1 - o));
        }
    }

    private static native void productUnchecked(ByteBuffer w, long offset, int cols, int count, float[] xb, int n,
            float[] y, int yStride, int y0);

    private static native void dotUnchecked(ByteBuffer w, long offset, int cols, int count, int[] xb, int n,
            float[] y, int yStride, int y0);

    private static native void dotPackUnchecked(float[] x, int n, int cols, int[] xb);
}
