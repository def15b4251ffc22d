package ai.t2l.hypernet;

import ai.t2l.compute.HeadProduct;
import ai.t2l.compute.ProductPrecision;
import java.nio.FloatBuffer;

/**
 * Generation's head products on the Java kernel ({@link HeadProduct}), each output written straight to its place in
 * the adapters' arrays: A (r, in) as PEFT stores it, B already transposed to (out, r) (T2L-SPEC §2.6). The values are
 * the head's raw outputs (x·Wᵀ + b); offsets and the raw-scale conversion come after, in {@link AdapterReadout}.
 * Head-input rows and features per variant (what {@code HyperModulator.heads} slices on the engine):
 * <ul>
 *   <li>L: row i = adapter row; feature j &lt; r·in is A[i][j], else j − r·in = k·out + o is B[i][o·r + k];</li>
 *   <li>L_AUTOREG: row i·r + k; feature c &lt; in is A[i][k·in + c], else B[i][(c − in)·r + k];</li>
 *   <li>M: rows 0..n−1 make A, n..2n−1 make B; feature k·max + c (max = max(in, out)) is A[i][k·in + c] for c &lt; in,
 *       B[i][c·r + k] for c &lt; out; the features past in (A) or out (B) are not computed;</li>
 *   <li>S: rows (i·r + k) for A then for B; feature c &lt; in is A[i][k·in + c], c &lt; out is B[i][c·r + k], only the
 *       head rows each side keeps.</li>
 * </ul>
 */
final class JavaHeads {
    private JavaHeads() {}

    /** The module's head weight packed in the order {@link #run} reads its outputs in (see {@link #order}). */
    static HeadProduct pack(HyperConfig c, String module, FloatBuffer w, float[] bias, ProductPrecision precision) {
        return HeadProduct.pack(w, c.headInSize(), bias, order(c, module), precision);
    }

    /**
     * The head's rows in the order the adapters store their outputs, so that the product's 32 outputs side by side
     * are mostly one run in one array: L as {@link #lFeatures}, M as {@link #mFeatures}, S and L_AUTOREG as they are.
     */
    static int[] order(HyperConfig c, String module) {
        HyperConfig.ModuleDims d = c.dims(module);
        int r = c.rank();
        return switch (c.variant()) {
            case L -> lFeatures(r, d.in(), d.out());
            case M -> mFeatures(r, Math.max(d.in(), d.out()));
            case L_AUTOREG, S -> java.util.stream.IntStream.range(0, c.headOutSize(module)).toArray();
        };
    }

    /**
     * @param x the head input, row-major (see the class comment for its rows), headIn wide
     * @param head the module's head from {@link #pack}
     * @param as n arrays of r·in, bs n arrays of out·r: filled here
     */
    static void run(HyperConfig c, String module, float[] x, HeadProduct head, float[][] as, float[][] bs,
            TileFinish finish) {
        HyperConfig.ModuleDims d = c.dims(module);
        int r = c.rank();
        int in = d.in();
        int out = d.out();
        int n = as.length;
        switch (c.variant()) {
            case L -> head.multiply(x, n, head.positions(), finished(lSink(as, bs, r * in), finish));
            case L_AUTOREG -> head.multiply(x, n * r, in + out, finished((p0, nf, i0, rows, tile) -> {
                int fa = Math.max(0, Math.min(nf, in - p0)); // the first fa positions are A's
                for (int i = 0; i < rows; i++) {
                    int row = (i0 + i) / r;
                    int k = (i0 + i) % r;
                    int t = i * HeadProduct.FEATURES_PER_PANEL;
                    if (fa > 0) {
                        System.arraycopy(tile, t, as[row], k * in + p0, fa);
                    }
                    float[] b = bs[row];
                    for (int f = fa; f < nf; f++) {
                        b[(p0 + f - in) * r + k] = tile[t + f];
                    }
                }
            }, finish));
            case M -> {
                int max = Math.max(in, out);
                int[] aPlace = mPlaceA(r, in, max);
                if (in == out) {
                    head.multiply(x, 2 * n, r * max, finished(mSink(as, bs, aPlace, 0), finish));
                } else {
                    // only the positions each side keeps: in the column-major order, the first r·in (A) or r·out (B)
                    head.multiply(x, 0, n, r * in, finished(mSink(as, bs, aPlace, 0), finish));
                    head.multiply(x, n, n, r * out, finished(mSink(as, bs, aPlace, n), finish));
                }
            }
            case S -> {
                if (in == out) {
                    head.multiply(x, 2 * n * r, in, finished(sSink(as, bs, r, in, 0), finish));
                } else {
                    head.multiply(x, 0, n * r, in, finished(sSink(as, bs, r, in, 0), finish));
                    head.multiply(x, n * r, n * r, out, finished(sSink(as, bs, r, in, n * r), finish));
                }
            }
        }
    }

    /**
     * Work on each finished tile before its values are placed, while it is in the core's L1 cache: {@code rows} rows
     * of {@link HeadProduct#FEATURES_PER_PANEL} outputs.
     */
    interface TileFinish {
        void apply(float[] tile, int rows);
    }

    private static HeadProduct.Sink finished(HeadProduct.Sink place, TileFinish finish) {
        return finish == null ? place : (p0, nf, i0, rows, tile) -> {
            finish.apply(tile, rows);
            place.accept(p0, nf, i0, rows, tile);
        };
    }

    /**
     * L's head rows in the order they are computed: A's r·in rows as they are (A[i][j] = feature j, consecutive),
     * then B's grouped by output feature: position r·in + o·r + k is head row r·in + k·out + o, which is B[i][o·r + k],
     * so the r values of one output feature are computed together and each of B's cache lines is written once.
     */
    static int[] lFeatures(int r, int in, int out) {
        int ra = r * in;
        int[] f = new int[ra + r * out];
        for (int j = 0; j < ra; j++) {
            f[j] = j;
        }
        for (int q = 0; q < r * out; q++) {
            f[ra + q] = ra + (q % r) * out + q / r;
        }
        return f;
    }

    /** L: position p &lt; r·in is A[i][p], else B[i][p − r·in] (see {@link #lFeatures}): one or two runs per row. */
    private static HeadProduct.Sink lSink(float[][] as, float[][] bs, int ra) {
        return (p0, nf, i0, rows, tile) -> {
            int fa = Math.max(0, Math.min(nf, ra - p0)); // the first fa positions of this tile are A's
            for (int i = 0; i < rows; i++) {
                int t = i * HeadProduct.FEATURES_PER_PANEL;
                if (fa > 0) {
                    System.arraycopy(tile, t, as[i0 + i], p0, fa);
                }
                if (fa < nf) {
                    System.arraycopy(tile, t + fa, bs[i0 + i], p0 + fa - ra, nf - fa);
                }
            }
        };
    }

    /**
     * M's shared head rows (k·max + c) column-major: position c·r + k. B[i][c·r + k] is then the position itself
     * (its cache lines written once), and the first r·in (r·out) positions are exactly the c &lt; in (c &lt; out) that A
     * (B) keeps.
     */
    static int[] mFeatures(int r, int max) {
        int[] f = new int[r * max];
        for (int p = 0; p < f.length; p++) {
            f[p] = (p % r) * max + p / r;
        }
        return f;
    }

    /** Where position c·r + k of {@link #mFeatures} goes in A (r, in): k·in + c, or −1 past c = in. */
    private static int[] mPlaceA(int r, int in, int max) {
        int[] place = new int[r * max];
        for (int p = 0; p < place.length; p++) {
            int c = p / r;
            place[p] = c < in ? (p % r) * in + c : -1;
        }
        return place;
    }

    /** M: x row (rowBase + i) is A's row i (&lt; n) or B's row i − n; positions as {@link #mFeatures}. */
    private static HeadProduct.Sink mSink(float[][] as, float[][] bs, int[] aPlace, int rowBase) {
        int n = as.length;
        int bKept = bs[0].length; // out·r: the positions B keeps
        return (p0, nf, i0, rows, tile) -> {
            for (int i = 0; i < rows; i++) {
                int row = rowBase + i0 + i;
                int t = i * HeadProduct.FEATURES_PER_PANEL;
                if (row < n) {
                    float[] a = as[row];
                    for (int f = 0; f < nf; f++) {
                        int dst = aPlace[p0 + f];
                        if (dst >= 0) {
                            a[dst] = tile[t + f];
                        }
                    }
                } else {
                    int end = Math.min(nf, bKept - p0);
                    if (end > 0) {
                        System.arraycopy(tile, t, bs[row - n], p0, end); // B[i][c·r + k] is the position itself
                    }
                }
            }
        };
    }

    /**
     * S: x row (rowBase + i) = t·r + k with t &lt; n for A, t − n for B; feature c goes to A[t][k·in + c] or
     * B[t][c·r + k]. Each row's destination (array, start, stride) is worked out once, not per value.
     */
    private static HeadProduct.Sink sSink(float[][] as, float[][] bs, int r, int in, int rowBase) {
        int n = as.length;
        int out = bs[0].length / r;
        int rows = 2 * n * r - rowBase;
        float[][] dst = new float[rows][];
        int[] start = new int[rows];
        int[] stride = new int[rows];
        int[] width = new int[rows];
        for (int i = 0; i < rows; i++) {
            int t = (rowBase + i) / r;
            int k = (rowBase + i) % r;
            if (t < n) {
                dst[i] = as[t];
                start[i] = k * in;
                stride[i] = 1;
                width[i] = in;
            } else {
                dst[i] = bs[t - n];
                start[i] = k;
                stride[i] = r;
                width[i] = out;
            }
        }
        return (j0, nf, i0, count, tile) -> {
            if (count == r && r == HeadProduct.ROWS_PER_TILE && stride[i0] == r && start[i0] == 0) {
                // the tile is ranks 0..7 of one B: 32 outputs × 8 ranks, one run of B[c·r + k] written in order
                float[] d = dst[i0];
                int end = Math.min(nf, width[i0] - j0);
                for (int f = 0; f < end; f++) {
                    int at = (j0 + f) * r;
                    for (int k = 0; k < r; k++) {
                        d[at + k] = tile[k * HeadProduct.FEATURES_PER_PANEL + f];
                    }
                }
                return;
            }
            for (int i = 0; i < count; i++) {
                float[] d = dst[i0 + i];
                int s = stride[i0 + i];
                int at = start[i0 + i] + j0 * s;
                int end = Math.min(nf, width[i0 + i] - j0); // in = out calls also reach the other side's width
                int t = i * HeadProduct.FEATURES_PER_PANEL;
                if (s == 1 && end > 0) {
                    System.arraycopy(tile, t, d, at, end);
                } else {
                    for (int f = 0; f < end; f++) {
                        d[at + f * s] = tile[t + f];
                    }
                }
            }
        };
    }
}
