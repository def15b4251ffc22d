package ai.t2l.compute;

import ai.t2l.io.T2lException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * 8-bit weight-only quantization in llama.cpp's Q8_0 layout with a float32 scale: each row is cut into blocks of
 * 32 values, stored as int8 q with one scale d = max|w| / 127, w ≈ q · d (ggml-quants.c quantize_row_q8_0_ref:
 * id = 1/d, q = round(w · id)). 1.125 bytes per weight; held on the Java heap.
 *
 * <p>Files and this class's constructors and writers use row-major signed values; in memory they are held in
 * 16-row panels ({@link Int8Panels}) for the kernels ({@link Kernels#int8}), which serve every number of activation
 * rows: decode, batched decode and prefill.
 */
public final class Int8Matrix extends PackedMatrix {
    public static final int BLOCK = Kernels.BLOCK;

    /** Supplies one float32 row of the matrix being quantized. */
    public interface Rows {
        void row(int r, float[] dst);
    }

    private final byte[] q; // signed values in panel order (Int8Panels)
    private final float[] scales; // in panel order
    private final int quads;
    private final int blocks;

    /** Takes {@code q} and {@code scales} over, both in panel order ({@link Int8Panels}). */
    private Int8Matrix(long rows, long cols, byte[] q, float[] scales) {
        super(rows, cols);
        this.quads = Int8Panels.quads(this.cols);
        this.blocks = blocks(cols);
        this.q = q;
        this.scales = scales;
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
        int r = (int) rows;
        int c = (int) cols;
        return new Int8Matrix(rows, cols, Int8Panels.fromRowMajor(q, r, c),
                Int8Panels.scalesFromRowMajor(scales, r, blocks(cols)));
    }

    /** Quantizes a (rows, cols) matrix row by row (no float32 copy of the whole matrix), strips split over the cores. */
    public static Int8Matrix quantize(long rows, long cols, Rows source) {
        Quantizer z = quantizer(rows, cols);
        z.rows(0, (int) rows, source);
        return z.finish();
    }

    /** A {@link Quantizer} for a (rows, cols) matrix; refuses one too large for a Java array. */
    public static Quantizer quantizer(long rows, long cols) {
        long width = 4L * Int8Panels.quads((int) Math.min(cols, Integer.MAX_VALUE - 64));
        if (cols > Integer.MAX_VALUE - 64 || (rows + Int8Panels.P) * width > Integer.MAX_VALUE - 8) {
            throw new T2lException("a " + rows + " x " + cols + " matrix is too large for one int8 array");
        }
        return new Quantizer((int) rows, (int) cols);
    }

    /**
     * Quantizes a matrix straight into panel order, given in slabs of rows (a mapped file read in pieces): each
     * strip of {@link Int8Panels#P} rows is quantized into a scratch that stays in L2 and laid out there, so the int8
     * values are written to memory once (quantizing row-major and laying the whole matrix out afterwards read and
     * wrote them twice more).
     */
    public static final class Quantizer {
        private final int rows;
        private final int cols;
        private final int width;
        private final int blocks;
        private final byte[] q;
        private final float[] scales;
        private long given;

        private Quantizer(int rows, int cols) {
            this.rows = rows;
            this.cols = cols;
            this.width = 4 * Int8Panels.quads(cols);
            this.blocks = blocks(cols);
            int padded = Int8Panels.panels(rows) * Int8Panels.P;
            this.q = new byte[padded * width];
            this.scales = new float[padded * blocks];
        }

        /**
         * Rows [r0, r0 + n), where r0 is the number of rows given so far; row r0 + i is {@code source.row(i, ·)}. n is
         * a multiple of {@link Int8Panels#P} unless these are the matrix's last rows.
         */
        public void rows(long r0, int n, Rows source) {
            if (r0 != given || n < 0 || r0 + n > rows || (n % Int8Panels.P != 0 && r0 + n != rows)) {
                throw new IllegalArgumentException("rows [" + r0 + ", " + (r0 + n) + ") after " + given + " of " + rows
                        + " (whole strips of " + Int8Panels.P + " in order)");
            }
            int s0 = (int) (r0 / Int8Panels.P);
            int strips = (n + Int8Panels.P - 1) / Int8Panels.P;
            ComputePool.forRange(strips, (long) n * cols, (a, b) -> {
                float[] row = new float[cols];
                byte[] strip = new byte[Int8Panels.P * width]; // the padding columns stay 0
                float[] stripScales = new float[Int8Panels.P * blocks];
                for (int s = s0 + a; s < s0 + b; s++) {
                    for (int i = 0; i < Int8Panels.P; i++) {
                        long r = (long) s * Int8Panels.P + i;
                        if (r < r0 + n) {
                            source.row((int) (r - r0), row);
                            quantizeRow(row, r, strip, i * width, stripScales, i * blocks);
                        } else { // the last panel's padding rows
                            Arrays.fill(strip, i * width, (i + 1) * width, (byte) 0);
                            Arrays.fill(stripScales, i * blocks, (i + 1) * blocks, 0f);
                        }
                    }
                    Int8Panels.strip(strip, 0, width, q, s * Int8Panels.P * width);
                    for (int i = 0; i < Int8Panels.P; i++) {
                        for (int k = 0; k < blocks; k++) {
                            scales[Int8Panels.scaleAt(s * Int8Panels.P + i, k, blocks)] = stripScales[i * blocks + k];
                        }
                    }
                }
            });
            given = r0 + n;
        }

        /** The matrix, once every row was given. */
        public Int8Matrix finish() {
            if (given != rows) {
                throw new IllegalStateException(given + " of " + rows + " rows quantized");
            }
            return new Int8Matrix(rows, cols, q, scales);
        }
    }

    static void quantizeRow(float[] row, long r, byte[] q, int qOff, float[] scales, int sOff) {
        int c = Kernels.best().quantizeQ8(row, row.length, q, qOff, scales, sOff);
        if (c >= 0) {
            throw new T2lException("holds " + row[c] + " at index [" + r + ", " + c + "]; weights must be finite (the file is"
                    + " corrupt or the values overflowed), and a non-finite weight cannot be quantized");
        }
    }

    /** The signed int8 values, row-major (a quantized folder's I8 tensor), written 16 rows at a time. */
    public void writeQuantized(OutputStream os) throws IOException {
        byte[] buf = new byte[Math.min(rows, Int8Panels.P) * cols];
        for (int r0 = 0; r0 < rows; r0 += Int8Panels.P) {
            int n = Math.min(Int8Panels.P, rows - r0);
            Int8Panels.toRowMajor(q, cols, r0, n, buf);
            os.write(buf, 0, n * cols);
        }
    }

    /** The scales, row-major (rows, blocks), as a quantized folder stores them. */
    public float[] scales() {
        return Int8Panels.scalesToRowMajor(scales, rows, blocks);
    }

    @Override
    public String storage() {
        return "int8";
    }

    @Override
    public long bytes() {
        return q.length + 4L * scales.length;
    }

    /** What the products multiply ({@link #productPrecision}); from -Dt2l.products. */
    private volatile ProductPrecision productPrecision = F32Matrix.defaultPanelPrecision();

    /** Activations quantized for {@link Int8Rows#product}. */
    private record Quantized(int[] xa) {}

    /**
     * The activations with each row padded with zeros to the panels' padded width; or, with {@link #productPrecision}
     * int8dot, quantized to int8 blocks ({@link Int8Rows#quantize}).
     */
    @Override
    Object prepare(float[] x, int n) {
        if (productPrecision == ProductPrecision.INT8_DOT) {
            return new Quantized(Int8Rows.quantize(x, n, cols, blocks));
        }
        int width = 4 * quads;
        if (width == cols) {
            return x;
        }
        float[] padded = new float[n * width];
        for (int r = 0; r < n; r++) {
            System.arraycopy(x, r * cols, padded, r * width, cols);
        }
        return padded;
    }

    /** Whole panels only: the pool splits the rows into ranges of whole panels. */
    @Override
    int rowUnit() {
        return Int8Panels.P;
    }

    /**
     * Panels wholly inside [o0, o1) are written straight into y; a panel cut by the range (a range that does not
     * start or end on a panel, or the last, padded panel) goes through a small scratch.
     */
    @Override
    void kernel(Kernels k, Object prepared, float[] x, int n, float[] y, int o0, int o1) {
        int p = o0 / Int8Panels.P;
        int end = (o1 + Int8Panels.P - 1) / Int8Panels.P;
        int full0 = (o0 + Int8Panels.P - 1) / Int8Panels.P;
        int full1 = o1 / Int8Panels.P;
        if (full0 < full1) {
            panels(k, prepared, n, y, rows, Int8Panels.P * full0, full0, full1);
        }
        for (; p < end; p++) {
            if (p >= full0 && p < full1) {
                continue;
            }
            float[] part = new float[n * Int8Panels.P];
            panels(k, prepared, n, part, Int8Panels.P, 0, p, p + 1);
            int from = Math.max(o0, p * Int8Panels.P);
            int to = Math.min(o1, (p + 1) * Int8Panels.P);
            for (int r = 0; r < n; r++) {
                System.arraycopy(part, r * Int8Panels.P + from - p * Int8Panels.P, y, r * rows + from, to - from);
            }
        }
    }

    /** {@link Kernels#int8}'s contract, on the activations as {@link #prepare} left them. */
    private void panels(Kernels k, Object prepared, int n, float[] y, int yStride, int yOff, int p0, int p1) {
        if (prepared instanceof Quantized quantized) {
            Int8Rows.product(q, scales, quads, quantized.xa(), n, y, yStride, yOff, p0, p1);
        } else {
            k.int8(q, scales, quads, (float[]) prepared, n, y, yStride, yOff, p0, p1);
        }
    }

    /**
     * What the products multiply: {@link ProductPrecision#F32} (each weight dequantized to float32, float32
     * activations; the default) or {@link ProductPrecision#INT8_DOT} (the activations quantized to int8 blocks too,
     * exact integer block sums: {@link Int8Rows}; {@code --products int8dot}), for every number of activation rows, so
     * that a sequence's outputs do not depend on the batch it was decoded in (batch 1 runs as fast either way:
     * docs/WEIGHTS.md, "int8 on int8 activations"). bf16dot rounds float32 and bf16 matrices' products and leaves
     * these float32.
     *
     * @throws T2lException for BF16, or bf16dot / int8dot where the native library does not run, saying why
     */
    public void productPrecision(ProductPrecision precision) {
        F32Matrix.checkProducts(precision);
        productPrecision = precision;
    }

    /** Columns [c0, c0 + len) of row r, dequantized (q · d) into dst in quad order (the tiled and panel paths). */
    @Override
    void widen(Kernels k, int r, int c0, int len, float[] dst, int at) {
        for (int c = 0; c < len; c++) {
            dst[at + PanelOrder.quad(c, len)] = value(r, c0 + c);
        }
    }

    @Override
    void toPanelOrder(float[] src, int so, float[] dst, int dOff, int len) {
        PanelOrder.toQuads(src, so, dst, dOff, len);
    }

    /**
     * From this many activation rows on, the widened-panel path. By default never: the panel kernels measured faster
     * than it, and than the tiles + GEMM path, at every row count tried (8-128; docs/WEIGHTS.md "int8 in panels").
     */
    @Override
    int panelFrom() {
        return PANEL_FROM_INT8;
    }

    /** The tiles + GEMM path likewise never by default (see {@link #panelFrom}); not final so tests can force it. */
    @Override
    int tilesFrom() {
        return TILES_FROM_INT8;
    }

    static int TILES_FROM_INT8 = Integer.MAX_VALUE;

    static int PANEL_FROM_INT8 = Integer.getInteger("t2l.compute.panelFromInt8", Integer.MAX_VALUE);

    private float value(int r, int c) {
        return q[Int8Panels.valueAt(r, c, quads)] * scales[Int8Panels.scaleAt(r, c / BLOCK, blocks)];
    }

    @Override
    public void rowInto(int r, float[] dst, int off) {
        for (int c = 0; c < cols; c++) {
            dst[off + c] = value(r, c);
        }
    }
}
