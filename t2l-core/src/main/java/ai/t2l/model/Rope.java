package ai.t2l.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embedding as in HF modeling_llama.py (LlamaRotaryEmbedding, apply_rotary_pos_emb), with the
 * Llama-3.1 frequency rescaling of modeling_rope_utils._compute_llama3_parameters.
 */
final class Rope {
    private final int headDim;
    private final float[] invFreq; // (headDim/2)

    Rope(ModelConfig c) {
        this.headDim = c.headDim();
        int half = headDim / 2;
        invFreq = new float[half];
        for (int i = 0; i < half; i++) {
            // inv_freq = 1 / base^(arange(0, dim, 2) / dim), computed in float32 by HF
            float exponent = (float) (2 * i) / headDim;
            invFreq[i] = (float) (1.0 / Math.pow(c.ropeTheta(), exponent));
        }
        RopeScaling s = c.ropeScaling();
        if (s != null) {
            llama3(s);
        }
    }

    /** _compute_llama3_parameters: low frequencies divided by factor, high kept, a smooth blend in between. */
    private void llama3(RopeScaling s) {
        double lowFreqWavelen = s.originalMaxPositionEmbeddings() / s.lowFreqFactor();
        double highFreqWavelen = s.originalMaxPositionEmbeddings() / s.highFreqFactor();
        for (int i = 0; i < invFreq.length; i++) {
            double f = invFreq[i];
            double wavelen = 2 * Math.PI / f;
            double scaled = wavelen > lowFreqWavelen ? f / s.factor() : f;
            boolean medium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
            if (medium) {
                double smooth = (s.originalMaxPositionEmbeddings() / wavelen - s.lowFreqFactor())
                        / (s.highFreqFactor() - s.lowFreqFactor());
                scaled = (1 - smooth) * scaled / s.factor() + smooth * scaled;
            }
            invFreq[i] = (float) scaled;
        }
    }

    /**
     * cos and sin for each (row, position): two arrays (batch, 1, seq, headDim); the angle is inv_freq * position
     * in float32 (HF: inv_freq @ position_ids in float32), duplicated over both halves (emb = cat(freqs, freqs)).
     */
    NDArray[] tables(NDManager m, int[][] positions) {
        int b = positions.length;
        int t = positions[0].length;
        int half = headDim / 2;
        float[] cos = new float[b * t * headDim];
        float[] sin = new float[cos.length];
        for (int r = 0; r < b; r++) {
            for (int p = 0; p < t; p++) {
                int base = (r * t + p) * headDim;
                float pos = positions[r][p];
                for (int i = 0; i < half; i++) {
                    float angle = invFreq[i] * pos;
                    float c = (float) Math.cos(angle);
                    float s = (float) Math.sin(angle);
                    cos[base + i] = c;
                    cos[base + half + i] = c;
                    sin[base + i] = s;
                    sin[base + half + i] = s;
                }
            }
        }
        Shape shape = new Shape(b, 1, t, headDim);
        return new NDArray[] {OwnedArrays.of(m, cos, shape), OwnedArrays.of(m, sin, shape)};
    }

    /** apply_rotary_pos_emb: x * cos + rotate_half(x) * sin, rotate_half(x) = cat(-x2, x1). x: (batch, heads, seq, headDim). */
    static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        long half = x.getShape().get(3) / 2;
        NDArray x1 = x.get("..., :{}", half);
        NDArray x2 = x.get("..., {}:", half);
        NDArray rotated = x2.neg().concat(x1, -1);
        return x.mul(cos).add(rotated.mul(sin));
    }
}
