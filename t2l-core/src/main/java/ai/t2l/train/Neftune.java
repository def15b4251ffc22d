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

    /** Noise of shape (batch, seq, hidden) to add to the input embeddings; null when alpha is 0. */
    public static NDArray noise(NDManager m, Rng rng, double alpha, long batch, long seq, long hidden, DataType type) {
        if (alpha <= 0) {
            return null;
        }
        double mag = magnitude(alpha, seq, hidden);
        float[] n = new float[Math.toIntExact(batch * seq * hidden)];
        for (int i = 0; i < n.length; i++) {
            n[i] = (float) ((rng.nextDouble() * 2 - 1) * mag);
        }
        NDArray a = m.create(n, new Shape(batch, seq, hidden));
        return type == DataType.FLOAT32 ? a : a.toType(type, false);
    }
}
