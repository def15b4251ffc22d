package ai.t2l.compute;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Where {@link Int8Matrix} keeps each value: rows in panels of {@link #P} = 16, and in a panel its rows' values one
 * column after another, so that 16 consecutive bytes hold one column of all sixteen rows. A kernel loads them as one
 * 128-bit vector and widens them to sixteen float lanes (sign extension and conversion: two instructions), one lane
 * per output row, multiplied by a broadcast activation (the outer-product form), instead of summing a row's lanes at
 * the end (the dot-product form). Measured on 2 cores (docs/WEIGHTS.md "int8 in panels"): batched decode 40–44 →
 * 80–85 GFMA/s, batch 1 at the same bus speed; the column order beat an earlier order of four columns per int lane,
 * which took three shifts more per four columns (BENCHMARKS.md, seventeenth session).
 * <ul>
 *   <li>value (o, c), o = 16p + i: byte (p · width + c) · 16 + i, signed (width = the padded columns, 4 · quads);</li>
 *   <li>scale (o, b) of the block of 32 columns b: float ((p · blocks + b) · 16 + i).</li>
 * </ul>
 * Columns are padded with zeros to a whole number of blocks (quads = 8 · blocks) and rows to a whole number of
 * panels, with zero scales. Real models' shapes need no padding, and a row-major array then becomes panels in place,
 * one 16-row strip at a time (the strip occupies the same bytes in both layouts).
 */
final class Int8Panels {
    /** Rows per panel: the float lanes of one 512-bit vector. */
    static final int P = 16;

    private Int8Panels() {}

    static int panels(int rows) {
        return (rows + P - 1) / P;
    }

    /** Quads (four columns) per padded row. */
    static int quads(int cols) {
        return Int8Matrix.blocks(cols) * Kernels.BLOCK / 4;
    }

    static int valueAt(int o, int c, int quads) {
        return ((o / P) * 4 * quads + c) * P + o % P;
    }

    static int scaleAt(int o, int b, int blocks) {
        return ((o / P) * blocks + b) * P + o % P;
    }

    /** Row-major signed values (rows, cols) in panel order; in place (and returned) when no padding is needed. */
    static byte[] fromRowMajor(byte[] q, int rows, int cols) {
        int quads = quads(cols);
        if (rows % P != 0 || cols % Kernels.BLOCK != 0) {
            byte[] out = new byte[Math.multiplyExact(panels(rows) * P, 4 * quads)];
            for (int o = 0; o < rows; o++) {
                for (int c = 0; c < cols; c++) {
                    out[valueAt(o, c, quads)] = q[o * cols + c];
                }
            }
            return out;
        }
        int strip = P * cols;
        ComputePool.forRange(rows / P, q.length, (p0, p1) -> {
            byte[] copy = new byte[strip];
            for (int p = p0; p < p1; p++) {
                System.arraycopy(q, p * strip, copy, 0, strip);
                strip(copy, 0, cols, q, p * strip);
            }
        });
        return q;
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * One strip into panel order: {@link #P} rows of {@code width} bytes (a multiple of 8), row i at
     * {@code src[srcOff + i·width]}, into {@code dst[dstOff + c·P + i]}. Eight rows × eight columns at a time, read as
     * eight longs and transposed in registers (three rounds that swap 1-, 2- and 4-byte fields between pairs of
     * longs: Hacker's Delight, 2nd ed., §7-3), instead of a load and a store per byte: 0.19–0.23 against 0.35–0.46 ns
     * a byte, one thread, strips in L2 (docs/WEIGHTS.md, "Quantized folders").
     */
    static void strip(byte[] src, int srcOff, int width, byte[] dst, int dstOff) {
        for (int half = 0; half < P; half += 8) {
            for (int c = 0; c < width; c += 8) {
                transpose8(src, srcOff + half * width + c, width, dst, dstOff + c * P + half);
            }
        }
    }

    /**
     * Eight rows × eight columns, row k at {@code src[in + k·width]}, into column j at {@code dst[out + j·P]}. A method
     * of its own so that C2 compiles its sixteen VarHandle accesses inline wherever {@link #strip} lands (inlined whole
     * into a larger caller they were at times left as calls, and the strip ran 2–3 times slower).
     */
    private static void transpose8(byte[] src, int in, int width, byte[] dst, int out) {
        long x0 = get(src, in);
        long x1 = get(src, in + width);
        long x2 = get(src, in + 2 * width);
        long x3 = get(src, in + 3 * width);
        long x4 = get(src, in + 4 * width);
        long x5 = get(src, in + 5 * width);
        long x6 = get(src, in + 6 * width);
        long x7 = get(src, in + 7 * width);
        // bytes (row k, column j) and (row k + 1, column j − 1) for odd j, k even: the 2 × 2 blocks
        long m = 0x00FF00FF00FF00FFL;
        long t = ((x0 >>> 8) ^ x1) & m; x1 ^= t; x0 ^= t << 8;
        t = ((x2 >>> 8) ^ x3) & m; x3 ^= t; x2 ^= t << 8;
        t = ((x4 >>> 8) ^ x5) & m; x5 ^= t; x4 ^= t << 8;
        t = ((x6 >>> 8) ^ x7) & m; x7 ^= t; x6 ^= t << 8;
        // then 2 × 2 blocks of those across the 4 × 4 blocks
        m = 0x0000FFFF0000FFFFL;
        t = ((x0 >>> 16) ^ x2) & m; x2 ^= t; x0 ^= t << 16;
        t = ((x1 >>> 16) ^ x3) & m; x3 ^= t; x1 ^= t << 16;
        t = ((x4 >>> 16) ^ x6) & m; x6 ^= t; x4 ^= t << 16;
        t = ((x5 >>> 16) ^ x7) & m; x7 ^= t; x5 ^= t << 16;
        // then the 4 × 4 blocks across the whole 8 × 8: long j now holds column j of the eight rows
        m = 0x00000000FFFFFFFFL;
        t = ((x0 >>> 32) ^ x4) & m; x4 ^= t; x0 ^= t << 32;
        t = ((x1 >>> 32) ^ x5) & m; x5 ^= t; x1 ^= t << 32;
        t = ((x2 >>> 32) ^ x6) & m; x6 ^= t; x2 ^= t << 32;
        t = ((x3 >>> 32) ^ x7) & m; x7 ^= t; x3 ^= t << 32;
        LONGS.set(dst, out, x0);
        LONGS.set(dst, out + P, x1);
        LONGS.set(dst, out + 2 * P, x2);
        LONGS.set(dst, out + 3 * P, x3);
        LONGS.set(dst, out + 4 * P, x4);
        LONGS.set(dst, out + 5 * P, x5);
        LONGS.set(dst, out + 6 * P, x6);
        LONGS.set(dst, out + 7 * P, x7);
    }

    private static long get(byte[] b, int off) {
        return (long) LONGS.get(b, off);
    }

    /** Row-major scales (rows, blocks) in panel order (a new array). */
    static float[] scalesFromRowMajor(float[] s, int rows, int blocks) {
        float[] out = new float[panels(rows) * P * blocks];
        for (int o = 0; o < rows; o++) {
            for (int b = 0; b < blocks; b++) {
                out[scaleAt(o, b, blocks)] = s[o * blocks + b];
            }
        }
        return out;
    }

    /** The signed values of rows [r0, r0 + n) into dst (row-major, n · cols bytes). */
    static void toRowMajor(byte[] q, int cols, int r0, int n, byte[] dst) {
        int quads = quads(cols);
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < cols; c++) {
                dst[r * cols + c] = q[valueAt(r0 + r, c, quads)];
            }
        }
    }

    /** The scales in row-major order (rows, blocks). */
    static float[] scalesToRowMajor(float[] s, int rows, int blocks) {
        float[] out = new float[rows * blocks];
        for (int o = 0; o < rows; o++) {
            for (int b = 0; b < blocks; b++) {
                out[o * blocks + b] = s[scaleAt(o, b, blocks)];
            }
        }
        return out;
    }
}
