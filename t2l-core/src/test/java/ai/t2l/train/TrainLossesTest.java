package ai.t2l.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.t2l.lora.LoraWeights.Site;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Losses against numbers derived by hand from the PyTorch formulas. */
class TrainLossesTest {
    /** Every position predicts p = softmax([0, ln2, 0]) = [.25, .5, .25]. */
    static NDArray logits(NDManager m) {
        float l2 = (float) Math.log(2);
        float[] row = {0, l2, 0};
        float[] all = new float[2 * 3 * 3];
        for (int i = 0; i < 6; i++) {
            System.arraycopy(row, 0, all, i * 3, 3);
        }
        return m.create(all, new Shape(2, 3, 3));
    }

    // label 1: (1-.1)·ln2 + .1·(ln4+ln2+ln4)/3 = 0.739357; labels 0 or 2: .9·ln4 + .1·1.155245 = 1.363190
    static final double LOSS_1 = 0.9 * Math.log(2) + 0.1 * (2 * Math.log(4) + Math.log(2)) / 3;
    static final double LOSS_0 = 0.9 * Math.log(4) + 0.1 * (2 * Math.log(4) + Math.log(2)) / 3;

    @Test
    void labelSmoothedCrossEntropyIgnoresMinus100AndShifts() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray labels = m.create(new int[] {-100, 1, 0, -100, -100, 2}, new Shape(2, 3));
            double tokenMean = Losses.crossEntropy(logits(m), labels, 0.1, Losses.Reduction.TOKEN_MEAN).getFloat();
            assertEquals((LOSS_1 + 2 * LOSS_0) / 3, tokenMean, 1e-6);
            double sampleMean = Losses.crossEntropy(logits(m), labels, 0.1, Losses.Reduction.SAMPLE_MEAN).getFloat();
            assertEquals(((LOSS_1 + LOSS_0) / 2 + LOSS_0) / 2, sampleMean, 1e-6);
            double plain = Losses.crossEntropy(logits(m), labels, 0, Losses.Reduction.TOKEN_MEAN).getFloat();
            assertEquals((Math.log(2) + 2 * Math.log(4)) / 3, plain, 1e-6);
        }
    }

    @Test
    void sampleWithoutTargetsContributesZero() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray labels = m.create(new int[] {-100, 1, -100, -100, -100, -100}, new Shape(2, 3));
            double v = Losses.crossEntropy(logits(m), labels, 0.1, Losses.Reduction.SAMPLE_MEAN).getFloat();
            assertEquals(LOSS_1 / 2, v, 1e-6);
        }
    }

    @Test
    void l2OnGeneratedAveragesPerModuleOverAllLayersAndRows() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<Site, GeneratedLora.Pair> g = new LinkedHashMap<>();
            g.put(new Site(0, "q_proj"), pair(m, new float[] {1, 2}, new float[] {1, 1}));
            g.put(new Site(1, "q_proj"), pair(m, new float[] {3, 0}, new float[] {0, 0}));
            g.put(new Site(0, "v_proj"), new GeneratedLora.Pair(m.create(new float[] {2, 2}, new Shape(1, 1, 2)),
                    m.create(new float[] {1}, new Shape(1, 1, 1))));
            // q: mean A² = (1+4+9+0)/4 = 3.5, mean B² = 2/4 = .5; v: 4 + 1
            assertEquals(9.0, Losses.l2Generated(g).getFloat(), 1e-6);
        }
    }

    static GeneratedLora.Pair pair(NDManager m, float[] a, float[] b) {
        return new GeneratedLora.Pair(m.create(a, new Shape(1, 1, 2)), m.create(b, new Shape(1, 2, 1)));
    }

    @Test
    void neftuneNoiseIsUniformWithinAlphaOverSqrtSd() {
        try (NDManager m = NDManager.newBaseManager()) {
            double mag = 5 / Math.sqrt(8 * 32); // 0.3125
            NDArray n = Neftune.noise(m, new Rng(1), 5, 4, 8, 32, DataType.FLOAT32);
            float[] v = n.toFloatArray();
            double max = 0;
            double sum = 0;
            for (float x : v) {
                max = Math.max(max, Math.abs(x));
                sum += x;
            }
            assertTrue(max <= mag && max > 0.95 * mag, "max |noise| " + max + " vs " + mag);
            assertEquals(0, sum / v.length, 0.02);
            assertEquals(null, Neftune.noise(m, new Rng(1), 0, 4, 8, 32, DataType.FLOAT32));
        }
    }

    @Test
    void l1IsMeanAbsoluteError() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray p = m.create(new float[] {1, 2, 3, 4});
            NDArray t = m.create(new float[] {2, 2, 0, 5});
            assertEquals((1 + 0 + 3 + 1) / 4.0, Losses.l1(p, t).getFloat(), 1e-7);
        }
    }
}
