package ai.t2l.compute;

import ai.t2l.io.FloatTensor;
import ai.t2l.io.Half;
import ai.t2l.io.T2lException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A bfloat16 or float16 matrix used in place: the bytes are the safetensors file's own pages, memory-mapped
 * (no float32 copy; the OS pages them in on first use and may drop them under pressure), or, for a float32 model
 * asked to run in bf16, a direct buffer of rounded values. A mapping may not exceed 2 GiB, so the rows are held in
 * chunks of at most 1 GiB.
 */
public final class HalfMatrix extends PackedMatrix {
    /** Maps {@code length} bytes starting {@code offset} bytes into the tensor's data. */
    public interface ByteSource {
        ByteBuffer map(long offset, long length);
    }

    private static final long CHUNK_BYTES = 1L << 30;

    private final boolean f16;
    private final int chunkRows;
    private final ByteBuffer[] chunks;
    /** What bf16 weights' products of 2 rows or more multiply in ({@link #productPrecision}); from -Dt2l.products. */
    private volatile ProductPrecision productPrecision = F32Matrix.defaultPanelPrecision();

    private HalfMatrix(long rows, long cols, boolean f16, ByteBuffer[] chunks, int chunkRows) {
        super(rows, cols);
        this.f16 = f16;
        this.chunks = chunks;
        this.chunkRows = chunkRows;
    }

    /** A mapped (rows, cols) bf16 or f16 tensor. */
    public static HalfMatrix mapped(long rows, long cols, boolean f16, ByteSource source) {
        return mapped(rows, cols, f16, source, CHUNK_BYTES);
    }

    /** {@link #mapped} in chunks of at most {@code chunkBytes} (tests use small ones). */
    static HalfMatrix mapped(long rows, long cols, boolean f16, ByteSource source, long chunkBytes) {
        long rowBytes = 2 * cols;
        if (rowBytes > chunkBytes) {
            throw new T2lException("a matrix row of " + cols + " values is too long to map");
        }
        int chunkRows = (int) Math.min(rows, chunkBytes / rowBytes);
        int n = (int) ((rows + chunkRows - 1) / chunkRows);
        ByteBuffer[] chunks = new ByteBuffer[n];
        for (int c = 0; c < n; c++) {
            long r0 = (long) c * chunkRows;
            long r1 = Math.min(rows, r0 + chunkRows);
            chunks[c] = source.map(r0 * rowBytes, (r1 - r0) * rowBytes).order(ByteOrder.LITTLE_ENDIAN);
        }
        return new HalfMatrix(rows, cols, f16, chunks, chunkRows);
    }

    /** float32 weights rounded to bfloat16 (nearest even) in a direct buffer: {@code --weights bf16} on an f32 model. */
    public static HalfMatrix roundedToBf16(FloatTensor w) {
        long rows = w.shape()[0];
        long cols = w.shape()[1];
        float[] d = w.data();
        ByteBuffer buf = ByteBuffer.allocateDirect(Math.multiplyExact(2, d.length)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < d.length; i++) {
            buf.putShort(2 * i, Half.bf16FromFloat(d[i]));
        }
        return mapped(rows, cols, false, (off, len) -> buf.slice((int) off, (int) len));
    }

    /**
     * Refuses NaN and infinity as {@link ai.t2l.io.Finite} does for float32 tensors, naming {@code what} (file and
     * tensor) and the [row, column] of the first one: a non-finite weight poisons every logit it reaches. One
     * vectorised pass over the mapped bytes, split over the cores; it reads the file once at load, which the first
     * decode step would do anyway (cost measured in docs/WEIGHTS.md).
     */
    public HalfMatrix requireFinite(String what) {
        Kernels k = Kernels.best();
        long[] first = {Long.MAX_VALUE};
        for (int c = 0; c < chunks.length; c++) {
            ByteBuffer buf = chunks[c];
            int chunkRowCount = buf.capacity() / (2 * cols);
            long base = (long) c * chunkRows;
            ComputePool.forRange(chunkRowCount, (long) chunkRowCount * cols, (r0, r1) -> {
                int at = k.firstNonFiniteHalf(buf, r0 * cols * 2, r1 * cols * 2, f16);
                if (at >= 0) {
                    synchronized (first) {
                        first[0] = Math.min(first[0], base * cols + at / 2);
                    }
                }
            });
            if (first[0] != Long.MAX_VALUE) {
                long i = first[0];
                int row = (int) (i / cols);
                int col = (int) (i % cols);
                short s = chunks[row / chunkRows].getShort((row % chunkRows) * cols * 2 + col * 2);
                throw new T2lException(what + " holds " + ScalarKernels.decode(s, f16) + " at index [" + row + ", "
                        + col + "]; weights must be finite (the file is corrupt or the values overflowed)");
            }
        }
        return this;
    }

    @Override
    public String storage() {
        return f16 ? "f16" : "bf16";
    }

    @Override
    public long bytes() {
        return 2L * rows * cols;
    }

    private record Pairs(float[] even, float[] odd) {}

    /** Activations packed for {@link Bf16Rows#product}. */
    private record Blocks(float[] xb) {}

    /** Activations rounded and packed for {@link Bf16Rows#dot}. */
    private record DotBlocks(int[] xb) {}

    @Override
    Object prepare(float[] x, int n) {
        if (!f16 && chunks[0].isDirect()) {
            if (n >= 2 && productPrecision == ProductPrecision.BF16_DOT) {
                return new DotBlocks(Bf16Rows.packDot(x, n, cols));
            }
            if (NativeRows.available()) {
                return new Blocks(Bf16Rows.pack(x, n, cols));
            }
        }
        int half = cols / 2;
        float[] e = new float[n * half];
        float[] o = new float[n * half];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < half; j++) {
                e[r * half + j] = x[r * cols + 2 * j];
                o[r * half + j] = x[r * cols + 2 * j + 1];
            }
        }
        return new Pairs(e, o);
    }

    @Override
    void kernel(Kernels k, Object prepared, float[] x, int n, float[] y, int o0, int o1) {
        for (int c = o0 / chunkRows; c < chunks.length && c * chunkRows < o1; c++) {
            int base = c * chunkRows;
            int b = Math.max(o0, base);
            int e = Math.min(o1, base + chunkRows);
            if (b >= e) {
                continue;
            }
            if (prepared instanceof Blocks blocks) {
                Bf16Rows.product(chunks[c], base, cols, blocks.xb(), n, y, rows, b, e);
            } else if (prepared instanceof DotBlocks blocks) {
                Bf16Rows.dot(chunks[c], base, cols, blocks.xb(), n, y, rows, b, e);
            } else {
                Pairs p = (Pairs) prepared;
                k.half(chunks[c], base, cols, f16, p.even(), p.odd(), x, n, y, rows, b, e);
            }
        }
    }

    @Override
    void widen(Kernels k, int r, int c0, int len, float[] dst, int at) {
        k.widenHalf(chunks[r / chunkRows], (r % chunkRows) * cols * 2 + 2 * c0, len, f16, dst, at);
    }

    @Override
    void toPanelOrder(float[] src, int so, float[] dst, int dOff, int len) {
        PanelOrder.toPairs(src, so, dst, dOff, len);
    }

    /**
     * Many activation rows (prefill): on CPUs whose kernels say {@link Kernels#bf16Tiles}, bf16 weights go through
     * {@link TiledProduct}, 32 rows at a time transposed into the head tile's panels ({@link Bf16Groups}); else, and
     * for f16, the float32 panels of {@link PackedMatrix}. With {@link #productPrecision} bf16dot, bf16 weights go
     * through {@link Bf16Groups#dotProduct} instead (the native bf16 dot tile).
     */
    @Override
    void panelProduct(Kernels k, float[] xs, int n, float[] y) {
        boolean dot = !f16 && productPrecision == ProductPrecision.BF16_DOT;
        if (!dot && (f16 || !k.bf16Tiles())) {
            super.panelProduct(k, xs, n, y);
            return;
        }
        int[] xb = dot ? Bf16Dot.packRows(xs, 0, n, cols) : null; // rounded once for every chunk and thread
        for (int c = 0; c < chunks.length; c++) {
            int first = c * chunkRows;
            int count = Math.min(chunkRows, rows - first);
            Bf16Groups groups = new Bf16Groups(chunks[c], cols, count, first);
            ComputePool.forRange(groups.count(), (long) count * cols, (g0, g1) -> {
                if (dot) {
                    groups.dotProduct(xb, n, y, rows, g0, g1);
                } else {
                    TiledProduct.product(groups, cols, xs, n, y, rows, g0, g1);
                }
            });
        }
    }

    /**
     * bf16 widening is two vector operations per 32 values, so up to a few activation rows the skinny kernels'
     * widening in registers beats a store and reload (measured: docs/WEIGHTS.md, "Prefill").
     */
    @Override
    int panelFrom() {
        return PANEL_FROM_HALF;
    }

    static int PANEL_FROM_HALF = Integer.getInteger("t2l.compute.panelFromHalf", 48);

    /**
     * What bf16 weights' products of 2 activation rows or more (batched decode, prompts) multiply in: float32 (the
     * stored values widened exactly, the default), or {@link ProductPrecision#BF16_DOT} (the activations rounded to
     * bfloat16 too, AVX512_BF16 dot products; {@code --products bf16dot}): {@link Bf16Rows#dot} below
     * {@link #panelFrom} rows, {@link Bf16Groups#dotProduct} from there. Batch-1 decode (bound by memory, not by
     * multiply-adds) and f16 weights stay as they are, and so does everything under {@link ProductPrecision#INT8_DOT}
     * (for int8 weights).
     *
     * @throws T2lException for BF16 (bf16 weights are that already) or BF16_DOT where the native library does not
     *     run, saying why
     */
    public void productPrecision(ProductPrecision precision) {
        F32Matrix.checkProducts(precision);
        productPrecision = precision;
    }

    @Override
    public void rowInto(int r, float[] dst, int off) {
        Kernels.best().widenRow(chunks[r / chunkRows], (r % chunkRows) * cols * 2, cols, f16, dst, off);
    }
}
