package ai.t2l.compute;

import ai.t2l.io.T2lException;
import java.io.IOException;
import java.io.OutputStream;

/**
 * 8-bit weight-only quantization in llama.cpp's Q8_0 layout with a float32 scale: each row is cut into blocks of
 * 32 values, stored as int8 q with one scale d = max|w| / 127, w ≈ q · d (ggml-quants.c quantize_row_q8_0_ref:
 * id = 1/d, q = round(w · id)). 1.125 bytes per weight; held on the Java heap.
 *
 * <p>In memory each q is held as q + 128 (the byte's sign bit flipped, "offset binary"), so that the Vector API
 * kernels widen a byte with one mask and one conversion instead of two shifts and a conversion (see
 * {@link Kernels#int8}); files keep the signed values ({@link #writeQuantized}).
 */
public final class Int8Matrix extends PackedMatrix {
    public static final int BLOCK = Kernels.BLOCK;

    /** Supplies one float32 row of the matrix being quantized. */
    public interface Rows {
        void row(int r, float[] dst);
    }

    private final byte[] q; // (rows, cols), each value stored as q + 128 (sign bit flipped)
    private final float[] scales; // (rows, blocks)

    /** Takes {@code q} (signed values) over and flips its sign bits in place. */
    private Int8Matrix(long rows, long cols, byte[] q, float[] scales) {
        super(rows, cols);
        this.q = q;
        this.scales = scales;
        ComputePool.forRange((int) rows, q.length, (r0, r1) -> flipSignBits(q, (int) (r0 * cols), (int) (r1 * cols)));
    }

    /** Signed int8 to offset binary and back (the same operation): a loop C2 vectorises. */
    private static void flipSignBits(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            b[i] ^= (byte) 0x80;
        }
    }

    /** The signed value of a byte held in offset binary. */
    static int value(byte stored) {
        return (byte) (stored ^ 0x80);
    }

    public static int blocks(long cols) {
        return (int) ((cols + BLOCK - 1) / BLOCK);
    }

    /** Wraps stored blocks (a quantized folder), checking that the scales fit the weights; takes {@code q} over. */
    public static Int8Matrix of(long rows, long cols, byte[] q, float[] scales, String what) {
        if ((long) q.length != rows * cols) {
            throw new T2lException(what + ": " + q.length + " int8 values for a " + rows + " x " + cols + " matrix");
        }
        if ((long) scales.length != rows * blocks(cols)) {
            throw new T2lException(what + ": " + scales.length + " scales, expected " + rows + " x " + blocks(cols)
                    + " (one per block of " + BLOCK + ")");
        }
        for (int i = 0; i < scales.length; i++) {
            if (!Float.isFinite(scales[i]) || scales[i] < 0) {
                throw new T2lException(what + ": scale " + i + " is " + scales[i] + ", expected a finite value >= 0");
            }
        }
        return new Int8Matrix(rows, cols, q, scales);
    }

    /** Quantizes a (rows, cols) matrix row by row (no float32 copy of the whole matrix), rows split over the cores. */
    public static Int8Matrix quantize(long rows, long cols, Rows source) {
        long n = rows * cols;
        if (n > Integer.MAX_VALUE - 8) {
            throw new T2lException("a " + rows + " x " + cols + " matrix is too large for one int8 array");
        }
        int c = (int) cols;
        int blocks = blocks(cols);
        byte[] q = new byte[(int) n];
        float[] scales = new float[(int) rows * blocks];
        ComputePool.forRange((int) rows, n, (r0, r1) -> {
            float[] row = new float[c];
            for (int r = r0; r < r1; r++) {
                source.row(r, row);
                quantizeRow(row, r, q, r * c, scales, r * blocks);
            }
        });
        return new Int8Matrix(rows, cols, q, scales);
    }

    /**
     * Quantizes n rows from {@code source} into rows [r0, r0 + n) of preallocated arrays (for matrices read in slabs),
     * split over the cores.
     */
    public static void quantizeRows(long r0, int n, int cols, Rows source, byte[] q, float[] scales) {
        int blocks = blocks(cols);
        ComputePool.forRange(n, (long) n * cols, (a, b) -> {
            float[] row = new float[cols];
            for (int r = a; r < b; r++) {
                source.row(r, row);
                quantizeRow(row, r0 + r, q, Math.toIntExact((r0 + r) * cols), scales,
                        Math.toIntExact((r0 + r) * blocks));
            }
        });
    }

    static void quantizeRow(float[] row, long r, byte[] q, int qOff, float[] scales, int sOff) {
        for (int b = 0; b * BLOCK < row.length; b++) {
            int c0 = b * BLOCK;
            int c1 = Math.min(row.length, c0 + BLOCK);
            float amax = 0;
            for (int c = c0; c < c1; c++) {
                float v = row[c];
                if (!Float.isFinite(v)) {
                    throw new T2lException("holds " + v + " at index [" + r + ", " + c + "]; weights must be finite (the file is"
                            + " corrupt or the values overflowed), and a non-finite weight cannot be quantized");
                }
                amax = Math.max(amax, Math.abs(v));
            }
            float d = amax / 127f;
            float id = d != 0 ? 1f / d : 0f;
            scales[sOff + b] = d;
            for (int c = c0; c < c1; c++) {
                q[qOff + c] = (byte) Math.round(row[c] * id);
            }
        }
    }

    /** The signed int8 values, row-major (a quantized folder's I8 tensor), written in slices of about 1 MB. */
    public void writeQuantized(OutputStream os) throws IOException {
        byte[] buf = new byte[Math.min(q.length, 1 << 20)];
        for (int at = 0; at < q.length; at += buf.length) {
            int len = Math.min(buf.length, q.length - at);
            System.arraycopy(q, at, buf, 0, len);
            flipSignBits(buf, 0, len);
            os.write(buf, 0, len);
        }
    }

    public float[] scales() {
        return scales;
    }

    @Override
    public String storage() {
        return "int8";
    }

    @Override
    public long bytes() {
        return q.length + 4L * scales.length;
    }

    @Override
    Object prepare(float[] x, int n) {
        return phases(x, n, cols);
    }

    /**
     * The activation layout of {@link Kernels#int8}: x[r][4j + k] at p[k][r·quarter + j] (k = 0..3); the same with
     * phases 1 and 2 pre-multiplied by 2^-8 and 2^-16 (p[4], p[5]: the kernels mask byte k of an int in place, which
     * leaves it multiplied by 2^(8k)); and p[6][r·quarter + j] = -128 · (the four values), which turns the dot
     * product with the stored q + 128 back into the one with q.
     */
    static float[][] phases(float[] x, int n, int cols) {
        int quarter = cols / 4;
        float[][] p = new float[7][n * quarter];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < quarter; j++) {
                int at = r * cols + 4 * j;
                int i = r * quarter + j;
                p[0][i] = x[at];
                p[1][i] = x[at + 1];
                p[2][i] = x[at + 2];
                p[3][i] = x[at + 3];
                p[4][i] = x[at + 1] * 0x1p-8f; // exact: a power of two (activations are far from subnormal)
                p[5][i] = x[at + 2] * 0x1p-16f;
                p[6][i] = -128f * (x[at] + x[at + 1] + x[at + 2] + x[at + 3]);
            }
        }
        return p;
    }

    @Override
    void kernel(Kernels k, Object prepared, float[] x, int n, float[] y, int o0, int o1) {
        k.int8(q, scales, cols, (float[][]) prepared, x, n, y, rows, o0, o1);
    }

    @Override
    void widen(Kernels k, int r, int c0, int len, float[] dst, int at) {
        k.widenInt8(q, scales, r * cols + c0, r * blocks(cols) + c0 / BLOCK, len, dst, at);
    }

    @Override
    void toPanelOrder(float[] src, int so, float[] dst, int dOff, int len) {
        PanelOrder.toQuads(src, so, dst, dOff, len);
    }

    /** int8 widening costs more than the products: the skinny kernels already widen once from four rows on. */
    @Override
    int panelFrom() {
        return PANEL_FROM_INT8;
    }

    static int PANEL_FROM_INT8 = Integer.getInteger("t2l.compute.panelFromInt8", 16);

    @Override
    public void rowInto(int r, float[] dst, int off) {
        int blocks = blocks(cols);
        int row = r * cols;
        for (int c = 0; c < cols; c++) {
            dst[off + c] = value(q[row + c]) * scales[r * blocks + c / BLOCK];
        }
    }
}
