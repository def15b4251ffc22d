package ai.t2l.lora;

import ai.t2l.io.FloatTensor;
import ai.t2l.io.T2lException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * LoRA mixing as the reference's {@code hm/lora_mixing.py mix_loras}: a weighted sum applied to A and B
 * SEPARATELY ({@code sum(w_j * lora_j[k])} for every tensor k), not to ΔW = B·A, keeping the first adapter's config.
 * The adapters must have the same sites, shapes and LoRA config. The reference draws the weights from a simplex
 * (Dirichlet points or one-hot end points); here the caller gives them (spec §9, issue 12 item 13).
 */
public final class LoraMixing {
    private LoraMixing() {}

    public static LoraWeights mix(List<LoraWeights> adapters, double[] weights) {
        if (adapters.isEmpty()) {
            throw new T2lException("LoRA mixing needs at least one adapter");
        }
        if (weights.length != adapters.size()) {
            throw new T2lException("LoRA mixing: " + adapters.size() + " adapters but " + weights.length + " weights");
        }
        for (double w : weights) {
            if (!Double.isFinite(w)) {
                throw new T2lException("LoRA mixing: weight " + w + " is not a finite number");
            }
        }
        LoraWeights first = adapters.get(0);
        for (int j = 1; j < adapters.size(); j++) {
            LoraWeights a = adapters.get(j);
            if (!a.config().equals(first.config())) {
                throw new T2lException("LoRA mixing: adapter " + (j + 1) + " has config " + a.config()
                        + ", adapter 1 has " + first.config());
            }
            if (!a.pairs().keySet().equals(first.pairs().keySet())) {
                throw new T2lException("LoRA mixing: adapter " + (j + 1) + " adapts other modules than adapter 1");
            }
        }
        Map<LoraWeights.Site, LoraWeights.Pair> out = new TreeMap<>();
        first.pairs().forEach((site, p) -> out.put(site, new LoraWeights.Pair(
                sum(adapters, weights, site, true), sum(adapters, weights, site, false))));
        return new LoraWeights(first.config(), out);
    }

    private static FloatTensor sum(List<LoraWeights> adapters, double[] weights, LoraWeights.Site site, boolean a) {
        FloatTensor t0 = a ? adapters.get(0).pairs().get(site).a() : adapters.get(0).pairs().get(site).b();
        float[] acc = new float[t0.data().length];
        for (int j = 0; j < adapters.size(); j++) {
            LoraWeights.Pair p = adapters.get(j).pairs().get(site);
            FloatTensor t = a ? p.a() : p.b();
            if (!Arrays.equals(t.shape(), t0.shape())) {
                throw new T2lException("LoRA mixing: " + (a ? "A" : "B") + " of layer " + site.layer() + " "
                        + site.module() + " has shape " + Arrays.toString(t.shape()) + " in adapter " + (j + 1)
                        + ", " + Arrays.toString(t0.shape()) + " in adapter 1");
            }
            float w = (float) weights[j];
            float[] d = t.data();
            for (int i = 0; i < acc.length; i++) {
                acc[i] += w * d[i];
            }
        }
        return new FloatTensor(acc, t0.shape().clone());
    }
}
