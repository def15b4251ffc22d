package ai.t2l.compute;

import ai.t2l.io.Half;
import java.nio.FloatBuffer;

/**
 * y = x·Wᵀ + b for a hypernetwork head, with W packed once for generation: a tall float32 weight (features, cols)
 * against a few dozen to a few hundred activation rows x (m, cols). The weight rows are taken in an order the caller
 * gives (the order its adapters store the outputs in) and repacked in panels of {@link #FEATURES_PER_PANEL} rows,
 * k-major. The kernel ({@link HeadKernel}) broadcasts one x value against a panel row of 32 weights, so each tile it
 * finishes holds, for each of 8 activation rows, 32 outputs side by side in the caller's order: an adapter readout
 * copies them as runs instead of placing every value on its own.
 *
 * <p>Each float32 panel is stored as two halves far apart: weight rows 0–15 of every panel in the first half of the
 * array, rows 16–31 in the second, so a thread running its panels reads two sequential streams from memory at once.
 * With the whole panel in one place (one stream per thread) the hardware prefetcher kept about 5 GB/s per thread in
 * flight and L's heads ran at about 9 GB/s, far under this machine's bus (BENCHMARKS.md, issue 16, thirteenth
 * session; the same effect as {@link RowBlocks} for decode).
 *
 * <p>Why packed once: copying each panel per call (and interleaving it from four row blocks on), as this class did
 * before, and handing every value to the sink on its own cost S 18%, M 11% and L 2–9% of an adapter's time
 * (BENCHMARKS.md, issue 16, eleventh session). From memory the L and M heads still run at 150–200 GFLOP/s, bound by
 * streaming the weights (287 with them in cache). The price is a second copy of the head weights on the Java heap
 * (for L on Mistral-7B, 218 MB; half in bfloat16), made on the first generation (BENCHMARKS.md, issue 16,
 * eleventh session). Why not the engine: for these skinny shapes libtorch's product ran at about half this speed,
 * and its (m, features) output had to be sliced and copied out of engine memory again. Training keeps the engine
 * (autograd); this is for generation only. Float32 accumulation, k ascending, one fused multiply-add per step,
 * then + b: the sum order differs from libtorch's (max |Δ| ≈ 2e-6 on outputs of magnitude ≈ 1, within the golden
 * adapters' 1e-5).
 */
public final class HeadProduct {
    /** Weight rows per panel: two 16-lane vectors. */
    public static final int FEATURES_PER_PANEL = 32;
    /** Activation rows per register tile. */
    public static final int ROWS_PER_TILE = 8;

    /** Receives finished outputs: {@code tile[i * FEATURES_PER_PANEL + f]} = y[row0 + i][order[position0 + f]]. */
    public interface Sink {
        void accept(int position0, int positions, int row0, int rows, float[] tile);
    }

    private final HeadKernel kernel;
    private final int cols;
    private final int count;
    /**
     * Panel g holds positions [32g, 32g + 32), zeros after: panels[(g·cols + k)·16 + f] = W[order[32g + f]][k] for
     * f &lt; 16 and panels[{@link #second} + (g·cols + k)·16 + f − 16] = W[order[32g + f]][k] for f ≥ 16.
     */
    private final float[] panels;
    /** Where the panels' second halves start (half the float32 array). */
    private final int second;
    /**
     * Or the panels in bfloat16, two weights per int: halves[(g·cols + k)·16 + j] = W[order[32g + j]][k] in the low
     * 16 bits, W[order[32g + 16 + j]][k] in the high 16 (null when the panels are float32).
     */
    private final int[] halves;
    /**
     * Or the panels for {@link Bf16Dot} ({@link ProductPrecision#BF16_DOT}), two columns per int:
     * dot[(g·pairs + q)·16 + j] = W[order[32g + j]][2q] in the low 16 bits and W[order[32g + j]][2q + 1] in the high
     * 16, outputs 16–31 the same from {@link #dotSecond} on (null otherwise).
     */
    private final int[] dot;
    /** Where the dot panels' second halves start (half the array). */
    private final int dotSecond;
    /** Column pairs: ⌈cols / 2⌉. */
    private final int pairs;
    /** bias[order[p]] at p, zeros past count (or all zeros without a bias). */
    private final float[] bias;
    /** Whether a bias was given: without one nothing is added (the engine's product without a bias adds nothing). */
    private final boolean hasBias;

    private HeadProduct(HeadKernel kernel, int cols, int count, float[] panels, int[] halves, int[] dot,
            float[] bias, boolean hasBias) {
        this.kernel = kernel;
        this.cols = cols;
        this.count = count;
        this.panels = panels;
        this.second = panels == null ? 0 : panels.length / 2;
        this.halves = halves;
        this.dot = dot;
        this.dotSecond = dot == null ? 0 : dot.length / 2;
        this.pairs = (cols + 1) / 2;
        this.bias = bias;
        this.hasBias = hasBias;
    }

    /**
     * True when a vector kernel runs here (Vector API module present, 512- or 256-bit vectors). Otherwise callers
     * should keep the engine's product: the plain-Java kernel is for tests and is several times slower.
     */
    public static boolean fast() {
        return HeadKernel.BEST != HeadKernel.SCALAR;
    }

    /** The vector width the head kernel runs with here: 512 (AVX-512), 256 (AVX2), or 0 (plain Java). */
    public static int vectorBits() {
        return HeadKernel.BEST instanceof VectorHeadKernel ? 512 : HeadKernel.BEST instanceof VectorHeadKernel256 ? 256
                : 0;
    }

    /**
     * Packs the weight rows {@code order[0..]} of W (row-major, (rows, cols)) and their biases.
     *
     * @param bias b (rows), or null
     * @param precision F32; BF16 rounds the weights to bfloat16 (nearest even), halving the bytes the kernel streams,
     *     the bias and every sum staying float32; BF16_DOT rounds the activations too ({@link Bf16Dot}). The last two
     *     are not what the reference computes: options, with their errors in docs/PERFORMANCE.md
     * @throws IllegalStateException for {@link ProductPrecision#BF16_DOT} where {@link Bf16Dot} does not run (says why)
     */
    public static HeadProduct pack(FloatBuffer w, int cols, float[] bias, int[] order, ProductPrecision precision) {
        return pack(HeadKernel.BEST, w, cols, bias, order, precision);
    }

    static HeadProduct pack(HeadKernel kernel, FloatBuffer w, int cols, float[] bias, int[] order,
            ProductPrecision precision) {
        if (precision == ProductPrecision.BF16_DOT) {
            Bf16Dot.requireLoaded("head product: bf16dot needs the native bf16 dot library");
        } else if (precision == ProductPrecision.INT8_DOT) {
            throw new IllegalArgumentException("head product: int8dot is for int8 weights' products, not packed heads");
        }
        boolean bf16 = precision == ProductPrecision.BF16;
        boolean dotted = precision == ProductPrecision.BF16_DOT;
        long wRows = cols == 0 ? 0 : w.capacity() / cols;
        for (int f : order) {
            if (f < 0 || f >= wRows || (bias != null && f >= bias.length)) {
                throw new IllegalArgumentException("head product: feature " + f + " outside W's " + wRows + " rows"
                        + (bias == null ? "" : " / the bias's " + bias.length));
            }
        }
        int groups = (order.length + FEATURES_PER_PANEL - 1) / FEATURES_PER_PANEL;
        int pairs = (cols + 1) / 2;
        long size = (long) groups * FEATURES_PER_PANEL * (dotted ? 2 * pairs : cols);
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("head product: " + order.length + " × " + cols + " weights are more "
                    + "than one Java array holds");
        }
        float[] panels = bf16 || dotted ? null : new float[(int) size];
        int[] halves = bf16 ? new int[(int) (size / 2)] : null;
        int[] dot = dotted ? new int[(int) (size / 2)] : null;
        float[] packedBias = new float[groups * FEATURES_PER_PANEL];
        for (int p = 0; p < order.length && bias != null; p++) {
            packedBias[p] = bias[order[p]];
        }
        ComputePool.forRange(groups, size, (g0, g1) -> {
            float[] rows = new float[FEATURES_PER_PANEL * cols]; // the panel's weight rows as they are, zeros past n
            for (int g = g0; g < g1; g++) {
                int p0 = g * FEATURES_PER_PANEL;
                int n = Math.min(FEATURES_PER_PANEL, order.length - p0);
                for (int f = 0; f < n; f++) {
                    w.get(order[p0 + f] * cols, rows, f * cols, cols);
                }
                // written in order: each cache line of the new array once
                if (dotted) {
                    int half = FEATURES_PER_PANEL / 2;
                    int second = dot.length / 2;
                    for (int q = 0, at = g * pairs * half; q < pairs; q++, at += half) {
                        for (int f = 0; f < FEATURES_PER_PANEL; f++) {
                            int pair = f >= n ? 0 : Half.bf16FromFloat(rows[f * cols + 2 * q]) & 0xFFFF
                                    | (2 * q + 1 < cols ? Half.bf16FromFloat(rows[f * cols + 2 * q + 1]) << 16 : 0);
                            dot[f < half ? at + f : second + at + f - half] = pair;
                        }
                    }
                } else if (bf16) {
                    int half = FEATURES_PER_PANEL / 2;
                    for (int k = 0, at = p0 * cols / 2; k < cols; k++, at += half) {
                        for (int j = 0; j < half; j++) {
                            int lo = Half.bf16FromFloat(rows[j * cols + k]) & 0xFFFF;
                            int hi = j + half < n ? Half.bf16FromFloat(rows[(j + half) * cols + k]) << 16 : 0;
                            halves[at + j] = j < n ? lo | hi : 0;
                        }
                    }
                } else {
                    int half = FEATURES_PER_PANEL / 2;
                    int second = panels.length / 2;
                    for (int k = 0, at = p0 * cols / 2; k < cols; k++, at += half) {
                        for (int f = 0; f < Math.min(n, half); f++) {
                            panels[at + f] = rows[f * cols + k];
                        }
                        for (int f = half; f < n; f++) {
                            panels[second + at + f - half] = rows[f * cols + k];
                        }
                    }
                }
            }
        });
        return new HeadProduct(kernel, cols, order.length, panels, halves, dot, packedBias, bias != null);
    }

    /** Packed positions (the order's length). */
    public int positions() {
        return count;
    }

    /** Columns of W: the width of an input row. */
    public int cols() {
        return cols;
    }

    /** Bytes of the packed copy. */
    public long bytes() {
        return 4L * ((panels != null ? panels.length : halves != null ? halves.length : dot.length) + bias.length);
    }

    /** Whether the weights are held in bfloat16 (either 16-bit precision). */
    public boolean bf16() {
        return panels == null;
    }

    /** What the products read and multiply. */
    public ProductPrecision precision() {
        return dot != null ? ProductPrecision.BF16_DOT : halves != null ? ProductPrecision.BF16 : ProductPrecision.F32;
    }

    /**
     * Computes positions [0, limit) of x·Wᵀ + b for all m rows of x and hands every tile to {@code sink}, from up to
     * {@link ComputePool#THREADS} threads at once (each tile exactly once; tiles of different threads never share a
     * position, so a sink that writes position-indexed places needs no locking).
     *
     * @param x (m, cols) row-major
     */
    public void multiply(float[] x, int m, int limit, Sink sink) {
        multiply(x, 0, m, limit, sink);
    }

    /**
     * {@link #multiply(float[], int, int, Sink)} for rows [xRow, xRow + m) of x; the sink sees them as rows 0..m−1.
     */
    public void multiply(float[] x, int xRow, int m, int limit, Sink sink) {
        if (limit < 0 || limit > count) {
            throw new IllegalArgumentException("head product: positions [0, " + limit + ") of " + count);
        }
        java.util.Objects.checkFromIndexSize((long) xRow * cols, (long) m * cols, x.length);
        if (dot != null) {
            multiplyDot(x, xRow, m, limit, sink);
            return;
        }
        float[][] xb = rowTiles(x, xRow, m, cols);
        int groups = (limit + FEATURES_PER_PANEL - 1) / FEATURES_PER_PANEL;
        ComputePool.forRange(groups, (long) limit * cols, (g0, g1) -> {
            float[] tile = new float[ROWS_PER_TILE * FEATURES_PER_PANEL];
            for (int g = g0; g < g1; g++) {
                int p0 = g * FEATURES_PER_PANEL;
                int n = Math.min(FEATURES_PER_PANEL, limit - p0);
                for (int t = 0; t < xb.length; t++) {
                    int rows = Math.min(ROWS_PER_TILE, m - t * ROWS_PER_TILE);
                    tile(g, xb[t], rows, tile);
                    sink.accept(p0, n, t * ROWS_PER_TILE, rows, tile);
                }
            }
        });
    }

    /** Tiles of activation rows per native call: the out buffer (16 KB) stays in L1 for the sink to read. */
    private static final int DOT_TILES_PER_CALL = 16;

    /**
     * {@link #multiply(float[], int, int, int, Sink)} on the {@link Bf16Dot} panels: x rounded to bfloat16 once, then
     * per panel group the native tiles, a few per call (one crossing per tile would cost a few percent: a tile of
     * 512 columns is about 4 µs), each + b in float32 before it reaches the sink.
     */
    private void multiplyDot(float[] x, int xRow, int m, int limit, Sink sink) {
        int tiles = (m + ROWS_PER_TILE - 1) / ROWS_PER_TILE;
        int tileInts = pairs * ROWS_PER_TILE;
        int[] xb = Bf16Dot.packRows(x, xRow, m, cols);
        int groups = (limit + FEATURES_PER_PANEL - 1) / FEATURES_PER_PANEL;
        int tileSize = ROWS_PER_TILE * FEATURES_PER_PANEL;
        ComputePool.forRange(groups, (long) limit * cols, (g0, g1) -> {
            float[] out = new float[Math.min(tiles, DOT_TILES_PER_CALL) * tileSize];
            float[] tile = new float[tileSize];
            for (int g = g0; g < g1; g++) {
                int p0 = g * FEATURES_PER_PANEL;
                int n = Math.min(FEATURES_PER_PANEL, limit - p0);
                int first = g * pairs * (FEATURES_PER_PANEL / 2);
                for (int c0 = 0; c0 < tiles; c0 += DOT_TILES_PER_CALL) {
                    int calls = Math.min(DOT_TILES_PER_CALL, tiles - c0);
                    Bf16Dot.tiles(dot, first, dotSecond + first, pairs, xb, c0 * tileInts, calls, out);
                    for (int c = 0; c < calls; c++) {
                        int t = c0 + c;
                        int rows = Math.min(ROWS_PER_TILE, m - t * ROWS_PER_TILE);
                        System.arraycopy(out, c * tileSize, tile, 0, tileSize);
                        addBias(p0, rows, tile);
                        sink.accept(p0, n, t * ROWS_PER_TILE, rows, tile);
                    }
                }
            }
        });
    }

    /**
     * y = x·Wᵀ + b, row-major (m, positions), then SiLU if asked: the packed weight as a plain dense layer (the
     * hypernetwork's trunk in generation, {@code hypernet.JavaTrunk}), output position p being W's row order[p]. The
     * threads split the rows, 8 at a time, and each runs every panel for its rows, so a small weight (the trunk's
     * are at most 1 MB) stays in the core's L2 while the rows stream past it once (the heads' order, panels split
     * and every row tile per panel, re-read 1,024 rows × 512 floats from L3 per panel: 120–180 GFLOP/s against
     * this order's, BENCHMARKS.md, issue 16, twelfth session). Each thread applies the SiLU to its own rows.
     */
    public float[] multiply(float[] x, int m, boolean silu) {
        checkInput(x, m);
        float[] y = new float[Math.multiplyExact(m, count)];
        int tiles = (m + ROWS_PER_TILE - 1) / ROWS_PER_TILE;
        // the work's size: the weights, read once per tile of rows
        ComputePool.forRange(tiles, (long) tiles * count * cols, (t0, t1) -> {
            int r0 = t0 * ROWS_PER_TILE;
            multiplyRows(x, r0, y, r0, Math.min(m, t1 * ROWS_PER_TILE) - r0, silu, (long) m * count);
        });
        return y;
    }

    /**
     * {@link #multiply(float[], int, boolean)} for rows [xRow, xRow + rows) of x into rows [yRow, yRow + rows) of y
     * ((·, positions) row-major), on the calling thread: for a caller that splits the rows over the cores itself and
     * runs several steps on each block of rows while it is in cache ({@code hypernet.JavaTrunk}). The same sums.
     *
     * @param siluWhole the values of the whole operation these rows are part of ({@link Silu#inPlace(float[], int,
     *     int, long)})
     */
    public void multiplyRows(float[] x, int xRow, float[] y, int yRow, int rows, boolean silu, long siluWhole) {
        java.util.Objects.checkFromIndexSize((long) xRow * cols, (long) rows * cols, x.length);
        java.util.Objects.checkFromIndexSize((long) yRow * count, (long) rows * count, y.length);
        int groups = (count + FEATURES_PER_PANEL - 1) / FEATURES_PER_PANEL;
        float[] tile = new float[ROWS_PER_TILE * FEATURES_PER_PANEL];
        if (dot != null) {
            multiplyRowsDot(x, xRow, y, yRow, rows, groups, tile);
            if (silu) {
                Silu.inPlace(y, yRow * count, (yRow + rows) * count, siluWhole);
            }
            return;
        }
        float[] xt = new float[cols * ROWS_PER_TILE];
        for (int t = 0; t < rows; t += ROWS_PER_TILE) {
            int n = Math.min(ROWS_PER_TILE, rows - t);
            rowTile(x, xRow + t, n, cols, xt);
            for (int g = 0; g < groups; g++) {
                int p0 = g * FEATURES_PER_PANEL;
                int nf = Math.min(FEATURES_PER_PANEL, count - p0);
                tile(g, xt, n, tile);
                for (int i = 0; i < n; i++) {
                    System.arraycopy(tile, i * FEATURES_PER_PANEL, y, (yRow + t + i) * count + p0, nf);
                }
            }
        }
        if (silu) {
            Silu.inPlace(y, yRow * count, (yRow + rows) * count, siluWhole);
        }
    }

    /**
     * {@link #multiplyRows} on the {@link Bf16Dot} panels: each tile of 8 rows rounded to bfloat16 once, then every
     * panel group against it in one native call, each group's outputs + b.
     */
    private void multiplyRowsDot(float[] x, int xRow, float[] y, int yRow, int rows, int groups, float[] tile) {
        int tileSize = ROWS_PER_TILE * FEATURES_PER_PANEL;
        int[] xb = new int[pairs * ROWS_PER_TILE];
        float[] out = new float[groups * tileSize];
        for (int t = 0; t < rows; t += ROWS_PER_TILE) {
            int n = Math.min(ROWS_PER_TILE, rows - t);
            Bf16Dot.packTile(x, xRow + t, n, cols, xb, 0);
            Bf16Dot.acrossGroups(dot, dotSecond, pairs, groups, xb, out);
            for (int g = 0; g < groups; g++) {
                int p0 = g * FEATURES_PER_PANEL;
                int nf = Math.min(FEATURES_PER_PANEL, count - p0);
                System.arraycopy(out, g * tileSize, tile, 0, tileSize);
                addBias(p0, n, tile);
                for (int i = 0; i < n; i++) {
                    System.arraycopy(tile, i * FEATURES_PER_PANEL, y, (yRow + t + i) * count + p0, nf);
                }
            }
        }
    }

    /** Panel group g against one tile of x's rows: the tile's first {@code rows} rows of 32 outputs, + b. */
    private void tile(int g, float[] xt, int rows, float[] tile) {
        int p0 = g * FEATURES_PER_PANEL;
        if (halves == null) {
            kernel.tileRows(panels, p0 * cols / 2, second + p0 * cols / 2, cols, xt, tile, rows);
        } else {
            kernel.tileBf16(halves, p0 * cols / 2, cols, xt, tile);
        }
        addBias(p0, rows, tile);
    }

    private void addBias(int p0, int rows, float[] tile) {
        if (!hasBias) {
            return;
        }
        for (int i = 0; i < rows; i++) {
            for (int f = 0; f < FEATURES_PER_PANEL; f++) {
                tile[i * FEATURES_PER_PANEL + f] += bias[p0 + f]; // one rounding, as the engine's add
            }
        }
    }

    private void checkInput(float[] x, int m) {
        if (x.length < (long) m * cols) {
            throw new IllegalArgumentException("head product: x holds " + x.length + " floats for " + m + " × "
                    + cols);
        }
    }

    /** Rows [xRow, xRow + m) of x (·, cols) as tiles of 8 rows, each k-major ({@code tile[k·8 + i]}), zero past m. */
    static float[][] rowTiles(float[] x, int xRow, int m, int cols) {
        float[][] out = new float[(m + ROWS_PER_TILE - 1) / ROWS_PER_TILE][];
        // on both cores for S's 256-512 rows (0.1-0.2 ms each on one); a few tiles stay on the caller
        ComputePool.forRange(out.length, (long) m * cols, (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                out[t] = new float[cols * ROWS_PER_TILE];
                rowTile(x, xRow + t * ROWS_PER_TILE, Math.min(ROWS_PER_TILE, m - t * ROWS_PER_TILE), cols, out[t]);
            }
        });
        return out;
    }

    /** Rows [row0, row0 + rows) of x into xt, k-major ({@code xt[k·8 + i]}); rows past them stay as they were. */
    private static void rowTile(float[] x, int row0, int rows, int cols, float[] xt) {
        rowTile(x, row0, rows, cols, 0, cols, xt);
    }

    /**
     * Columns [c0, c0 + len) of rows [row0, row0 + rows) of x (rows {@code width} apart) into xt, k-major
     * ({@code xt[(k − c0)·8 + i]}); rows past them stay as they were.
     */
    static void rowTile(float[] x, int row0, int rows, int width, int c0, int len, float[] xt) {
        for (int i = 0; i < rows; i++) {
            int src = (row0 + i) * width + c0;
            for (int k = 0; k < len; k++) {
                xt[k * ROWS_PER_TILE + i] = x[src + k];
            }
        }
    }
}
