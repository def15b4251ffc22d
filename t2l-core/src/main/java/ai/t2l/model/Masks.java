package ai.t2l.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Positions and attention masks, computed in Java from the 0/1 key mask (they carry no gradient). */
final class Masks {
    /**
     * Added to a masked score. HF uses finfo(float32).min; any value this large gives an exact zero after softmax,
     * and a finite one keeps a fully masked row (a left-pad query) free of NaN.
     */
    static final float MASKED = -1e30f;

    private Masks() {}

    /**
     * Position ids of the new tokens: HF generate's position_ids = cumsum(attention_mask) - 1, continued from the
     * {@code realBefore[b]} real tokens already in the cache; pad tokens get the position of the last real token
     * (their value never reaches a real token).
     */
    static int[][] positions(int[] realBefore, int[][] newMask) {
        int[][] pos = new int[newMask.length][];
        for (int b = 0; b < newMask.length; b++) {
            pos[b] = new int[newMask[b].length];
            int seen = realBefore[b];
            for (int t = 0; t < newMask[b].length; t++) {
                seen += newMask[b][t] != 0 ? 1 : 0;
                pos[b][t] = Math.max(seen - 1, 0);
            }
        }
        return pos;
    }

    /**
     * Additive mask of shape (batch, 1, 1, seq, keys): query {@code past + t} sees key j when j is a real token,
     * j ≤ past + t (causal), and, with a window w, j > past + t - w (HF Mistral/Gemma2: keys i-w+1..i; indices are
     * cache slots, as in HF, so padding shifts all rows alike).
     */
    static NDArray additive(NDManager m, int[][] keyMask, int past, int seq, Integer window) {
        return OwnedArrays.of(m, additiveValues(keyMask, past, seq, window),
                new Shape(keyMask.length, 1, 1, seq, keyMask[0].length));
    }

    /** {@link #additive}'s values, row-major (batch, seq, keys). */
    static float[] additiveValues(int[][] keyMask, int past, int seq, Integer window) {
        int b = keyMask.length;
        int keys = keyMask[0].length;
        float[] mask = new float[b * seq * keys];
        for (int r = 0; r < b; r++) {
            for (int t = 0; t < seq; t++) {
                int query = past + t;
                int base = (r * seq + t) * keys;
                for (int j = 0; j < keys; j++) {
                    boolean visible = keyMask[r][j] != 0 && j <= query && (window == null || j > query - window);
                    mask[base + j] = visible ? 0f : MASKED;
                }
            }
        }
        return mask;
    }
}
