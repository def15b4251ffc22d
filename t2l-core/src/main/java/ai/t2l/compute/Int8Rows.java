package ai.t2l.compute;

import ai.t2l.io.T2lException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * Products of int8 weights ({@link Int8Matrix}) on activations quantized to int8 blocks too: the optional
 * {@link ProductPrecision#INT8_DOT} ({@code --products int8dot}), llama.cpp's Q8_0 × Q8_0, in the native library
 * beside {@link Bf16Dot} ({@code int8-rows.c}). Per block of 32 columns an exact integer dot product (AVX512_VNNI's
 * {@code vpdpbusd}, 64 byte products an instruction), scaled by the weight block's and the activation block's scales,
 * summed in float32; int8-rows.c states the order and {@code Int8RowsTest} repeats it bit for bit.
 *
 * <p>Why: with weights widened to float32 (the default) an int8 batch of eight is bound by float32 multiply-adds, not
 * by memory; at 8 rows this runs 2.7–2.9 times the multiply-adds per second on weights streamed from memory
 * (docs/WEIGHTS.md, "int8 on int8 activations"). The activations' rounding moves the logits; docs/WEIGHTS.md gives
 * the error.
 */
public final class Int8Rows {
    /** Ints of one activation row's block (int8-rows.c): 8 of its 32 values, the scale's bits, 128 · Σ values. */
    static final int XA_INTS = 10;

    /**
     * A native call's byte products, about 0.05 ms: the weight, activation and output arrays are held as JNI critical
     * regions during a call, which holds off the collector, so long products are cut into calls of this size.
     */
    private static final long CALL_PRODUCTS = 1L << 23;

    /** Whether the CPU runs the products, asked once the library is loaded (null until then); read before each call. */
    private static volatile Boolean cpu;

    private static final String NO_CPU = "this CPU (or its operating system) does not run AVX512_VNNI and AVX512_VBMI"
            + " instructions";

    private Int8Rows() {}

    /** Whether the products run here: the native library is loaded and the CPU has AVX512_VNNI and AVX512_VBMI. */
    public static synchronized boolean available() {
        if (cpu == null && Bf16Dot.available()) {
            cpu = supported();
        }
        return cpu != null && cpu;
    }

    /**
     * For a setting that asks for these products ({@code what}, e.g. "--products int8dot"): refused with the reason
     * where they do not run here (the library's, {@link Bf16Dot#require}, or the CPU's), before anything is computed.
     *
     * @throws T2lException naming {@code what} and why
     */
    public static void require(String what) {
        Bf16Dot.require(what);
        if (!available()) {
            throw new T2lException(what + ": " + NO_CPU);
        }
    }

    /**
     * Before each native call: a library loaded on a CPU without these instructions is never called (it would stop the
     * JVM with an illegal instruction), whoever calls.
     */
    private static void requireRunnable() {
        if (!Boolean.TRUE.equals(cpu) && !available()) { // the volatile read first
            Bf16Dot.requireLoaded("int8 rows");
            throw new IllegalStateException("int8 rows: " + NO_CPU);
        }
    }

    /**
     * x ((n, cols) row-major) quantized as the weights are ({@link Kernels#quantizeQ8}: per block of 32 columns
     * d = max|x| / 127, q = round(x / d)) into the native layout: the record of row r's block b at
     * {@code (b·n + r)·XA_INTS}, its 32 values four to an int (column 4j + k in byte k of int j), then d's bits, then
     * 128 · Σ q; {@code blocks} blocks a row, zeros past its end. A block holding a value that is not finite gets the
     * scale NaN, so every output it reaches is NaN, as in float32. Rows split over the cores: done one block per call
     * on one core it took 34 µs for 8 rows of 2,304 (gemma's products), about 6% of a batch-8 step.
     */
    static int[] quantize(float[] x, int n, int cols, int blocks) {
        if (n < 1 || cols < 1 || blocks * Int8Matrix.BLOCK < cols) {
            throw new IllegalArgumentException("int8 rows: " + n + " rows × " + cols + " in " + blocks + " blocks");
        }
        Objects.checkFromIndexSize(0, (long) n * cols, x.length);
        int[] xa = new int[Math.multiplyExact(Math.multiplyExact(blocks, n), XA_INTS)];
        int width = blocks * Int8Matrix.BLOCK;
        ComputePool.forRange(n, (long) n * width * ROW_COST, (r0, r1) -> {
            Kernels k = Kernels.best();
            float[] row = new float[width]; // the padding past cols stays 0
            byte[] q = new byte[width];
            float[] d = new float[blocks];
            for (int r = r0; r < r1; r++) {
                System.arraycopy(x, r * cols, row, 0, cols);
                if (k.quantizeQ8(row, width, q, 0, d, 0) >= 0) {
                    eachBlock(k, row, q, d);
                }
                for (int b = 0; b < blocks; b++) {
                    int at = (b * n + r) * XA_INTS;
                    int c0 = b * Int8Matrix.BLOCK;
                    int sum = 0;
                    for (int c = c0; c < c0 + Int8Matrix.BLOCK; c++) {
                        sum += q[c];
                    }
                    for (int j = 0; j < 8; j++) {
                        xa[at + j] = (int) QUADS.get(q, c0 + 4 * j);
                    }
                    xa[at + 8] = Float.floatToRawIntBits(d[b]);
                    xa[at + 9] = 128 * sum;
                }
            }
        });
        return xa;
    }

    /** For the pool's split: a value quantized costs about what this many weights of a product do. */
    private static final int ROW_COST = 64;

    /** Four int8 values as the little-endian int the native side reads. */
    private static final VarHandle QUADS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** A row holding a non-finite value, block by block: that block's values 0 and its scale NaN, the others as usual. */
    private static void eachBlock(Kernels k, float[] row, byte[] q, float[] d) {
        float[] block = new float[Int8Matrix.BLOCK];
        for (int b = 0; b < d.length; b++) {
            int c0 = b * Int8Matrix.BLOCK;
            System.arraycopy(row, c0, block, 0, Int8Matrix.BLOCK);
            if (k.quantizeQ8(block, Int8Matrix.BLOCK, q, c0, d, b) >= 0) {
                Arrays.fill(q, c0, c0 + Int8Matrix.BLOCK, (byte) 0);
                d[b] = Float.NaN;
            }
        }
    }

    /**
     * {@link Kernels#int8}'s contract on quantized activations: panels [p0, p1) of the weights q / s ({@link
     * Int8Panels}, {@code quads} quads a row) against the n rows of xa ({@link #quantize}), panel p's 16 outputs of
     * row r at {@code y[r·yStride + yOff + 16·(p − p0) ..]}. Every index is checked here: the native side trusts them.
     */
    static void product(byte[] q, float[] s, int quads, int[] xa, int n, float[] y, int yStride, int yOff, int p0,
            int p1) {
        requireRunnable();
        int blocks = quads / 8;
        if (quads < 8 || quads % 8 != 0 || n < 1 || p0 < 0 || p1 < p0 || yStride < 0 || yOff < 0) {
            throw new IllegalArgumentException("int8 rows: " + quads + " quads, " + n + " rows, panels [" + p0 + ", "
                    + p1 + "), y stride " + yStride + " from " + yOff);
        }
        long panelBytes = 64L * quads;
        Objects.checkFromIndexSize(p0 * panelBytes, (p1 - p0) * panelBytes, q.length);
        Objects.checkFromIndexSize(p0 * 16L * blocks, (p1 - p0) * 16L * blocks, s.length);
        Objects.checkFromIndexSize(0, (long) blocks * n * XA_INTS, xa.length);
        if (p1 > p0) {
            long span = 16L * (p1 - p0);
            if (span > yStride && n > 1) {
                throw new IllegalArgumentException("int8 rows: " + span + " outputs a row in a stride of " + yStride);
            }
            Objects.checkFromIndexSize(yOff, (long) (n - 1) * yStride + span, y.length);
        }
        long perPanelRow = 16L * 4 * quads; // byte products of one panel and one activation row
        int rowStep = (int) Math.min(n, Math.max(8, CALL_PRODUCTS / perPanelRow / 8 * 8));
        int panelStep = (int) Math.max(1, CALL_PRODUCTS / (perPanelRow * rowStep));
        for (int p = p0; p < p1; p += panelStep) {
            int count = Math.min(panelStep, p1 - p);
            for (int r = 0; r < n; r += rowStep) {
                productUnchecked(q, s, quads, p, count, xa, n, r, Math.min(rowStep, n - r), y, yStride,
                        yOff + 16 * (p - p0));
            }
        }
    }

    private static native boolean supported();

    private static native void productUnchecked(byte[] q, float[] s, int quads, int p0, int count, int[] xa, int n,
            int r0, int rows, float[] y, int yStride, int yOff);
}
