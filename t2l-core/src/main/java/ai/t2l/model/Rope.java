package ai.t2l.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.t2l.compute.Autograd;
import ai.t2l.compute.Staging;
import java.nio.FloatBuffer;

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

    /**
     * A projection's output y (batch, seq, heads·headDim) as heads (batch, heads, seq, headDim) with the rotary
     * embedding applied: {@link #apply} of y's per-head view. When nothing can record it for backward
     * ({@link Autograd}) this is one Java pass into a new engine array, the same float32 products and sum as the
     * engine's ops; those are a reshape, a transpose and seven ops (two slices, a negation, a concatenation, two
     * products, a sum) for each of q and k in every layer, which at one token per step cost more in calls than in
     * arithmetic.
     */
    static NDArray applyToHeads(NDArray y, int b, int seq, int heads, int headDim, NDArray cos, NDArray sin) {
        if (Autograd.mayRecord(y) || y.hasGradient() || y.getDataType() != DataType.FLOAT32
                || cos.size() != (long) b * seq * headDim || sin.size() != cos.size()) {
            return apply(y.reshape(b, seq, heads, headDim).transpose(0, 2, 1, 3), cos, sin);
        }
        FloatBuffer in = EngineMemory.readable(y); // (b, seq, heads, d)
        FloatBuffer c = EngineMemory.readable(cos); // (b, 1, seq, d)
        FloatBuffer s = EngineMemory.readable(sin);
        Staging.Fresh out = Staging.fresh(y.getManager(), new Shape(b, heads, seq, headDim));
        FloatBuffer dst = out.memory();
        int half = headDim / 2;
        float[] x = new float[headDim];
        float[] cr = new float[headDim];
        float[] sr = new float[headDim];
        float[] o = new float[headDim];
        for (int r = 0; r < b; r++) {
            for (int t = 0; t < seq; t++) {
                c.get((r * seq + t) * headDim, cr);
                s.get((r * seq + t) * headDim, sr);
                for (int h = 0; h < heads; h++) {
                    in.get(((r * seq + t) * heads + h) * headDim, x);
                    for (int i = 0; i < half; i++) {
                        o[i] = x[i] * cr[i] + -x[i + half] * sr[i];
                    }
                    for (int i = half; i < headDim; i++) {
                        o[i] = x[i] * cr[i] + x[i - half] * sr[i];
                    }
                    dst.put(((r * heads + h) * seq + t) * headDim, o);
                }
            }
        }
        return out.array();
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
