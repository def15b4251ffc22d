package ai.t2l.export;

import ai.t2l.lora.LoraWeights;
import ai.t2l.model.TensorLayout;

/**
 * PEFT's merge (LoraLayer.merge / get_delta_weight, what merge_and_unload does): {@code W += scaling * B @ A},
 * computed in float32 and rounded to the base dtype once, when written.
 */
final class LoraMerge {
    private LoraMerge() {}

    /** The adapter pair that changes this HF weight name, or null (biases, norms, embeddings, other layers). */
    static LoraWeights.Pair pairFor(LoraWeights w, String hfName, int numLayers) {
        if (w == null) {
            return null;
        }
        for (var e : w.pairs().entrySet()) {
            if (e.getKey().layer() < numLayers
                    && TensorLayout.projection(e.getKey().layer(), e.getKey().module()).equals(hfName)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** Returns {@code weight + scaling * B A} for a row-major [out, in] weight (a new array). */
    static float[] merged(float[] weight, LoraWeights.Pair p, double scaling) {
        int out = p.out();
        int in = p.in();
        int r = p.rank();
        float[] a = p.a().data();
        float[] b = p.b().data();
        float[] res = weight.clone();
        float s = (float) scaling;
        double[] row = new double[in];
        for (int i = 0; i < out; i++) {
            java.util.Arrays.fill(row, 0);
            for (int k = 0; k < r; k++) {
                double bik = b[i * r + k];
                if (bik == 0) {
                    continue;
                }
                int ak = k * in;
                for (int j = 0; j < in; j++) {
                    row[j] += bik * a[ak + j];
                }
            }
            int base = i * in;
            for (int j = 0; j < in; j++) {
                res[base + j] += (float) (row[j] * s);
            }
        }
        return res;
    }
}
