package ai.t2l.model;

import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraBatch;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import java.util.Arrays;
import java.util.Map;

/** Checks that an adapter fits a model: known module, layer in range, A [r, in] and B [out, r] of the right sizes. */
public final class AdapterCheck {
    private AdapterCheck() {}

    /** @param source where the adapter comes from (its folder or file), named in every error */
    public static void check(ModelConfig c, LoraWeights adapter, String source) {
        for (Map.Entry<LoraWeights.Site, LoraWeights.Pair> e : adapter.pairs().entrySet()) {
            LoraWeights.Site site = e.getKey();
            checkSite(c, site, source);
            LoraWeights.Pair p = e.getValue();
            long[] a = p.a().shape();
            long[] b = p.b().shape();
            long in = c.inFeatures(site.module());
            long out = c.outFeatures(site.module());
            if (a.length != 2 || a[1] != in) {
                throw new T2lException(source + ": tensor '" + PeftAdapter.key(site.layer(), site.module(), 'A')
                        + "' has shape " + Arrays.toString(a) + ", expected [r, " + in + "] for this model's "
                        + site.module());
            }
            if (b.length != 2 || b[0] != out || b[1] != a[0]) {
                throw new T2lException(source + ": tensor '" + PeftAdapter.key(site.layer(), site.module(), 'B')
                        + "' has shape " + Arrays.toString(b) + ", expected [" + out + ", " + a[0] + "] for this"
                        + " model's " + site.module() + " (rank from lora_A)");
            }
        }
    }

    /** The same checks for engine arrays (shapes only, no data is read). */
    public static void check(ModelConfig c, LoraBatch lora) {
        for (Map.Entry<LoraWeights.Site, LoraBatch.Slot> e : lora.slots().entrySet()) {
            LoraWeights.Site site = e.getKey();
            checkSite(c, site, "LoRA batch");
            LoraBatch.Slot s = e.getValue();
            if (s.in() != c.inFeatures(site.module()) || s.out() != c.outFeatures(site.module())) {
                throw new T2lException("LoRA batch: layer " + site.layer() + " " + site.module() + " maps "
                        + s.in() + " -> " + s.out() + ", the model's maps " + c.inFeatures(site.module()) + " -> "
                        + c.outFeatures(site.module()) + " (A " + s.a().getShape() + ", B " + s.b().getShape() + ")");
            }
        }
    }

    private static void checkSite(ModelConfig c, LoraWeights.Site site, String source) {
        if (!TensorLayout.PROJECTIONS.contains(site.module())) {
            throw new T2lException(source + ": layer " + site.layer() + " adapts unknown module '" + site.module()
                    + "'; this " + c.family().modelType + " model has " + TensorLayout.PROJECTIONS);
        }
        if (site.layer() < 0 || site.layer() >= c.numLayers()) {
            throw new T2lException(source + ": tensor '" + PeftAdapter.key(site.layer(), site.module(), 'A')
                    + "' targets layer " + site.layer() + ", but the model has " + c.numLayers() + " layers (0.."
                    + (c.numLayers() - 1) + ")");
        }
    }
}
