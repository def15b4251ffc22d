package ai.t2l.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * NEFTune (spec §6.2, HF's neftune hook): during training the input embeddings get uniform noise in
 * ±alpha/sqrt(S·d), S the padded sequence length and d the hidden size.
 */
public final class Neftune {
    private Neftune() {}

    public static double magnitude(double alpha, long seq, long hidden) {
        return alpha / Math.sqrt((double) seq * hidden);
    }

    /** Noise of shape (batch, seq, hidden) from the engine RNG (seeded per step); null when alpha is 0. */
    public static NDArray noise(NDManager m, double alpha, long batch, long seq, long hidden, DataType type) {
        if (alpha <= 0) {
            return null;
        }
        float mag = (float) magnitude(alpha, seq, hidden);
        return m.randomUniform(-mag, mag, new Shape(batch, seq, hidden), type);
    }
}
