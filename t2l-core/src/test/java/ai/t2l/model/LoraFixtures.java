package ai.t2l.model;

import ai.t2l.io.FloatTensor;
import ai.t2l.lora.LoraConfig;
import ai.t2l.lora.LoraWeights;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Seeded random adapters for invariant tests (the properties, not the numbers, are what is checked). */
final class LoraFixtures {
    private LoraFixtures() {}

    /** Every projection of every layer; A ~ U(-0.3, 0.3), B ~ U(-bScale, bScale) (0: B = 0). */
    static LoraWeights random(ModelConfig c, int r, double alpha, boolean rslora, long seed, float bScale) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<LoraWeights.Site, LoraWeights.Pair> pairs = new LinkedHashMap<>();
        for (int l = 0; l < c.numLayers(); l++) {
            for (String m : TensorLayout.PROJECTIONS) {
                float[] a = new float[r * c.inFeatures(m)];
                float[] b = new float[c.outFeatures(m) * r];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) rng.nextDouble(-0.3, 0.3);
                }
                for (int i = 0; i < b.length && bScale > 0; i++) {
                    b[i] = (float) rng.nextDouble(-bScale, bScale);
                }
                pairs.put(new LoraWeights.Site(l, m), new LoraWeights.Pair(
                        new FloatTensor(a, new long[] {r, c.inFeatures(m)}),
                        new FloatTensor(b, new long[] {c.outFeatures(m), r})));
            }
        }
        return new LoraWeights(new LoraConfig(r, alpha, rslora, 0, java.util.List.copyOf(TensorLayout.PROJECTIONS)),
                pairs);
    }
}
