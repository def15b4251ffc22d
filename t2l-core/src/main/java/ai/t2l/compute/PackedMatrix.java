package ai.t2l.compute;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.t2l.io.T2lException;

/**
 * What the 16-bit and 8-bit matrices share: the product with float32 activations, by one of three paths chosen by
 * the number of activation rows n (thresholds measured in paired runs, docs/WEIGHTS.md "Prefill"):
 * <ul>
 *   <li>few rows (decode, batched decode; n below {@link #panelFrom()}): our skinny kernels, each weight row streamed
 *       from memory once per call and widened in registers for every block of four rows ({@link Kernels});</li>
 *   <li>many rows (prefill): panels of weight rows widened once into an L2-resident float32 scratch, then a
 *       register-blocked float32 kernel over all n rows ({@link #panelProduct}; bf16 on AVX2:
 *       {@link TiledProduct});</li>
 *   <li>from {@link #gemmRows} rows (long batched prompts): float32 tiles of about 16 MB and the engine's GEMM.</li>
 * </ul>
 * Output rows are split over the cores in every path.
 */
abstract class PackedMatrix implements WeightMatrix {
    /**
     * From this many activation rows on, the tile + GEMM path is used. Not final so tests can force either path.
     * It was 32 until the panel path existed; paired, the tiles lost to the skinny and panel kernels at 8-128 rows in
     * every case and won only at 512 rows on 9216-wide rows (docs/WEIGHTS.md "Prefill").
     */
    static int gemmRows = Integer.getInteger("t2l.compute.gemmRows", 256);

    private static final long TILE_FLOATS = 4L << 20;

    protected final int rows;
    protected final int cols;

    PackedMatrix(long rows, long cols) {
        if (rows <= 0 || cols <= 0 || rows > Integer.MAX_VALUE || cols > Integer.MAX_VALUE) {
            throw new T2lException("unsupported matrix shape " + rows + " x " + cols);
        }
        this.rows = (int) rows;
        this.cols = (int) cols;
    }

    @Override
    public long rows() {
        return rows;
    }

    @Override
    public long cols() {
        return cols;
    }

    /** Activations in the layout the kernel reads (see {@link Kernels}). */
    abstract Object prepare(float[] x, int n);

    /** y[r·rows + o] for o in [o0, o1). */
    abstract void kernel(Kernels k, Object prepared, float[] x, int n, float[] y, int o0, int o1);

    /**
     * Columns [c0, c0 + len) of row r widened to float32 into dst[at, at + len) in panel order ({@link PanelOrder},
     * applied to the chunk as to a row of length len); c0 is 0 or a multiple of {@link PanelOrder#QUAD_GROUP}.
     */
    abstract void widen(Kernels k, int r, int c0, int len, float[] dst, int at);

    /** src[so, so + len) (an activation row's chunk) into dst[dOff ...] in the same panel order. */
    abstract void toPanelOrder(float[] src, int so, float[] dst, int dOff, int len);

    /** From this many activation rows on, the panel path is used (below it the skinny kernels). */
    abstract int panelFrom();

    @Override
    public boolean javaProductFor(long n) {
        return n < tilesFrom();
    }

    /** From this many activation rows on, the tiles + GEMM path ({@link #gemmRows} unless a subclass knows better). */
    int tilesFrom() {
        return gemmRows;
    }

    @Override
    public NDArray multiply(NDArray x, NDArray bias) {
        Shape s = x.getShape();
        if (s.dimension() == 0 || s.get(s.dimension() - 1) != cols) {
            throw new T2lException("matrix product: input " + s + " does not end in " + cols);
        }
        int n = (int) (s.size() / cols);
        long[] outShape = s.getShape().clone();
        outShape[outShape.length - 1] = rows;
        Shape out = new Shape(outShape);
        NDArray y = n >= tilesFrom() ? tiled(x, n, out) : n >= panelFrom() ? panel(x, n, out) : skinny(x, n, out);
        return bias == null ? y : y.add(bias);
    }

    private NDArray skinny(NDArray x, int n, Shape outShape) {
        float[] xs = x.toFloatArray();
        float[] y = new float[Math.multiplyExact(n, rows)];
        skinnyProduct(Kernels.best(), prepare(xs, n), xs, n, y);
        return Staging.copyOf(x.getManager(), y, outShape);
    }

    /** y (n, rows) = x Wᵀ on the skinny kernels, the output rows split over the cores in whole {@link #rowUnit()}s. */
    void skinnyProduct(Kernels k, Object prepared, float[] xs, int n, float[] y) {
        int unit = rowUnit();
        int units = (rows + unit - 1) / unit;
        ComputePool.forRange(units, (long) rows * cols,
                (u0, u1) -> kernel(k, prepared, xs, n, y, u0 * unit, Math.min(rows, u1 * unit)));
    }

    /** The skinny kernels' natural grain of output rows; ranges handed to {@link #kernel} start on one. */
    int rowUnit() {
        return 1;
    }

    /**
     * Prefill (many activation rows): each thread widens a panel of weight rows at a time into a float32 scratch
     * that stays in L2, then one register-blocked float32 kernel applies it to every activation row. So each weight
     * is read from memory and widened once per product whatever the number of rows, where the skinny kernels widen
     * it once per four rows and a tile for the engine's GEMM goes through memory twice more as float32.
     */
    private NDArray panel(NDArray x, int n, Shape outShape) {
        float[] y = new float[Math.multiplyExact(n, rows)];
        panelProduct(Kernels.best(), x.toFloatArray(), n, y);
        return Staging.copyOf(x.getManager(), y, outShape);
    }

    /**
     * y (n, rows) = x (n, cols) Wᵀ by panels, y arriving zeroed (these panels add into it; a subclass's route may
     * store). Rows longer than {@link PanelOrder#MAX_CHUNK} are cut into column
     * chunks; the activations are laid out chunk by chunk (chunk at c0: n rows of its length at n·c0) in panel order.
     */
    void panelProduct(Kernels k, float[] xs, int n, float[] y) {
        int kc = PanelOrder.chunk(cols);
        float[] xp = new float[xs.length];
        for (int c0 = 0; c0 < cols; c0 += kc) {
            int len = Math.min(kc, cols - c0);
            for (int r = 0; r < n; r++) {
                toPanelOrder(xs, r * cols + c0, xp, n * c0 + r * len, len);
            }
        }
        int height = panelHeight(kc);
        ComputePool.forRange(rows, (long) rows * cols, (o0, o1) -> {
            float[] buf = panelBuffer(height * kc);
            for (int c0 = 0; c0 < cols; c0 += kc) {
                int len = Math.min(kc, cols - c0);
                for (int o = o0; o < o1; o += height) {
                    int m = Math.min(height, o1 - o);
                    for (int i = 0; i < m; i++) {
                        widen(k, o + i, c0, len, buf, i * len);
                    }
                    k.panel(buf, m, len, xp, n * c0, n, y, rows, o);
                }
            }
        });
    }

    /** Panel bytes aimed at: half of a 1 MB L2 (AMD Zen 4), leaving room for the block of activation rows. */
    private static final int PANEL_BYTES = Integer.getInteger("t2l.compute.panelBytes", 256 << 10);

    /** Weight rows per panel: a multiple of four (the kernel's block) that fits PANEL_BYTES, at least four. */
    static int panelHeight(int cols) {
        int h = PANEL_BYTES / (4 * cols);
        return Math.max(4, h - h % 4);
    }

    private static final ThreadLocal<float[]> PANEL = ThreadLocal.withInitial(() -> new float[0]);

    private static float[] panelBuffer(int floats) {
        float[] b = PANEL.get();
        if (b.length < floats) {
            b = new float[floats];
            PANEL.set(b);
        }
        return b;
    }

    /**
     * One float32 tile per thread, kept: a fresh 16 MB array per product made the heap grow by gigabytes between
     * collections, which pushed a mapped bf16 model's peak RSS past its file size + 15% (measured on gemma-2-2b).
     */
    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[0]);

    private static float[] tileBuffer(int floats) {
        float[] b = TILE.get();
        if (b.length < floats) {
            b = new float[floats];
            TILE.set(b);
        }
        return b;
    }

    private NDArray tiled(NDArray x, int n, Shape outShape) {
        NDManager m = x.getManager();
        int tile = (int) Math.max(1, Math.min(rows, TILE_FLOATS / cols));
        try (NDManager tmp = m.newSubManager()) {
            float[] xs = x.toFloatArray();
            float[] xp = new float[xs.length];
            for (int r = 0; r < n; r++) {
                toPanelOrder(xs, r * cols, xp, r * cols, cols); // the tile's columns are in panel order too
            }
            NDArray x2 = Staging.copyOf(tmp, xp, new Shape(n, cols));
            Kernels k = Kernels.best();
            NDList parts = new NDList();
            float[] buf = tileBuffer(tile * cols);
            for (int r0 = 0; r0 < rows; r0 += tile) {
                int t = Math.min(tile, rows - r0);
                int base = r0;
                ComputePool.forRange(t, (long) t * cols, (a, b) -> {
                    for (int r = a; r < b; r++) {
                        widen(k, base + r, 0, cols, buf, r * cols);
                    }
                });
                try (NDArray w = Staging.view(tmp, buf, t * cols, new Shape(t, cols))) {
                    parts.add(Linear.linear(x2, w, null).singletonOrThrow()); // (n, t)
                }
            }
            NDArray y = (parts.size() == 1 ? parts.head() : NDArrays.concat(parts, 1)).reshape(outShape);
            y.attach(m);
            return y;
        }
    }
}
