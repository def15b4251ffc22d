package ai.t2l.hypernet;

import ai.t2l.compute.HeadProduct;
import java.nio.FloatBuffer;
import java.util.Arrays;

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

    /**
     * @param x the head input, row-major (see the class comment for its rows), headIn wide
     * @param as n arrays of r·in, bs n arrays of out·r: filled here
     */
    static void run(HyperConfig c, String module, float[] x, int headIn, FloatBuffer w, float[] bias, float[][] as,
            float[][] bs) {
        HyperConfig.ModuleDims d = c.dims(module);
        int r = c.rank();
        int in = d.in();
        int out = d.out();
        int n = as.length;
        switch (c.variant()) {
            case L -> HeadProduct.multiply(w, headIn, bias, x, n, 0, r * (in + out), (j0, nf, i0, rows, blk) -> {
                for (int f = 0; f < nf; f++) {
                    int j = j0 + f;
                    if (j < r * in) {
                        for (int i = 0; i < rows; i++) {
                            as[i0 + i][j] = blk[f * HeadProduct.ROWS_PER_BLOCK + i];
                        }
                    } else {
                        int jb = j - r * in;
                        int dst = (jb % out) * r + jb / out;
                        for (int i = 0; i < rows; i++) {
                            bs[i0 + i][dst] = blk[f * HeadProduct.ROWS_PER_BLOCK + i];
                        }
                    }
                }
            });
            case L_AUTOREG -> HeadProduct.multiply(w, headIn, bias, x, n * r, 0, in + out, (j0, nf, i0, rows, blk) -> {
                for (int i = 0; i < rows; i++) {
                    int row = (i0 + i) / r;
                    int k = (i0 + i) % r;
                    for (int f = 0; f < nf; f++) {
                        int cc = j0 + f;
                        float v = blk[f * HeadProduct.ROWS_PER_BLOCK + i];
                        if (cc < in) {
                            as[row][k * in + cc] = v;
                        } else {
                            bs[row][(cc - in) * r + k] = v;
                        }
                    }
                }
            });
            case M -> {
                int max = Math.max(in, out);
                if (in == out) {
                    HeadProduct.multiply(w, headIn, bias, x, 2 * n, 0, r * max, sharedHead(as, bs, n, r, in, max, 0));
                } else {
                    float[] xa = Arrays.copyOfRange(x, 0, n * headIn);
                    float[] xb = Arrays.copyOfRange(x, n * headIn, 2 * n * headIn);
                    // only the features each side keeps: per rank row k the first in (A) or out (B) of max
                    for (int k = 0; k < (in == max ? 1 : r); k++) {
                        HeadProduct.multiply(w, headIn, bias, xa, n, k * max, in == max ? r * max : k * max + in,
                                sharedHead(as, bs, n, r, in, max, 0));
                    }
                    for (int k = 0; k < (out == max ? 1 : r); k++) {
                        HeadProduct.multiply(w, headIn, bias, xb, n, k * max, out == max ? r * max : k * max + out,
                                sharedHead(as, bs, n, r, in, max, n));
                    }
                }
            }
            case S -> {
                if (in == out) {
                    HeadProduct.multiply(w, headIn, bias, x, 2 * n * r, 0, in, perRank(as, bs, n, r, in, 0));
                } else {
                    HeadProduct.multiply(w, headIn, bias, Arrays.copyOfRange(x, 0, n * r * headIn), n * r, 0, in,
                            perRank(as, bs, n, r, in, 0));
                    HeadProduct.multiply(w, headIn, bias, Arrays.copyOfRange(x, n * r * headIn, 2 * n * r * headIn),
                            n * r, 0, out, perRank(as, bs, n, r, in, n * r));
                }
            }
        }
    }

    /** M: x row (rowBase + i) is A's row i (&lt; n) or B's row i − n; feature k·max + c. */
    private static HeadProduct.Sink sharedHead(float[][] as, float[][] bs, int n, int r, int in, int max,
            int rowBase) {
        int out = bs[0].length / r;
        return (j0, nf, i0, rows, blk) -> {
            for (int f = 0; f < nf; f++) {
                int k = (j0 + f) / max;
                int cc = (j0 + f) % max;
                for (int i = 0; i < rows; i++) {
                    int row = rowBase + i0 + i;
                    float v = blk[f * HeadProduct.ROWS_PER_BLOCK + i];
                    if (row < n) {
                        if (cc < in) {
                            as[row][k * in + cc] = v;
                        }
                    } else if (cc < out) {
                        bs[row - n][cc * r + k] = v;
                    }
                }
            }
        };
    }

    /** S: x row (rowBase + i) = t·r + k with t &lt; n for A, t − n for B; feature c. */
    private static HeadProduct.Sink perRank(float[][] as, float[][] bs, int n, int r, int in, int rowBase) {
        int out = bs[0].length / r;
        return (j0, nf, i0, rows, blk) -> {
            for (int i = 0; i < rows; i++) {
                int t = (rowBase + i0 + i) / r;
                int k = (rowBase + i0 + i) % r;
                for (int f = 0; f < nf; f++) {
                    int cc = j0 + f;
                    float v = blk[f * HeadProduct.ROWS_PER_BLOCK + i];
                    if (t < n) {
                        if (cc < in) {
                            as[t][k * in + cc] = v;
                        }
                    } else if (cc < out) {
                        bs[t - n][cc * r + k] = v;
                    }
                }
            }
        };
    }
}
