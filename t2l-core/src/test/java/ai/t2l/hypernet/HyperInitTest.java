package ai.t2l.hypernet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.t2l.lora.LoraWeights;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Bias-HyperInit (T2L-SPEC §2.8) and the trainability of the forward pass. */
class HyperInitTest {
    /** The fixtures' tiny Mistral: 2 layers, q_proj 64→64, v_proj 64→32. */
    static HyperConfig tiny(Variant v, TrainingTask task) {
        return HyperConfig.builder().variant(v).latentSize(32).headInSize(48).taskEmbDim(24).numLayers(2)
                .module("q_proj", 64, 64).module("v_proj", 64, 32).trainingTask(task).predZScore(task == TrainingTask.RECON)
                .factorized(true).build();
    }

    static float[] randomEmbedding(int dim, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @ParameterizedTest
    @EnumSource(value = Variant.class)
    void freshSftHypernetEmitsThePeftInitialLora(Variant v) {
        HyperConfig c = tiny(v, TrainingTask.SFT);
        try (HyperModulator h = HyperModulator.create(c, 7, null)) {
            LoraWeights w = h.generate(randomEmbedding(24, 1));
            for (String m : c.moduleOrder()) {
                float[] a0 = HyperInit.initialLoraA(c, 7, m).data();
                int in = c.dims(m).in();
                int out = c.dims(m).out();
                int r = c.rank();
                for (int l = 0; l < 2; l++) {
                    float[] a = w.get(l, m).a().data();
                    float[] b = w.get(l, m).b().data();
                    for (int k = 0; k < r; k++) {
                        for (int j = 0; j < in; j++) {
                            float expect = switch (v) {
                                case L -> a0[k * in + j];
                                case M -> (float) (a0[k * in + j] / Math.sqrt(2));
                                case S -> (float) (a0[j] / Math.sqrt(2) / Math.sqrt(r)); // one bias row for every rank
                                case L_AUTOREG -> (float) (a0[j] / Math.sqrt(r));
                            };
                            assertEquals(expect, a[k * in + j], 1e-7, v + " " + m + " A[" + k + "," + j + "]");
                        }
                        for (int o = 0; o < out; o++) {
                            float expect = switch (v) {
                                case L -> 0f; // B0 = 0 so ΔW = 0 at step 0
                                case M -> (float) (a0[k * in + o] / Math.sqrt(2)); // the M/S bias has no B part
                                case S -> (float) (a0[o] / Math.sqrt(2) / Math.sqrt(r));
                                case L_AUTOREG -> (float) (a0[in + o] / Math.sqrt(r));
                            };
                            assertEquals(expect, b[o * r + k], 1e-7, v + " " + m + " B[" + o + "," + k + "]");
                        }
                    }
                }
            }
        }
    }

    @Test
    void initialLoraAIsKaimingUniformAndSeeded() {
        HyperConfig c = tiny(Variant.L, TrainingTask.SFT);
        float[] a = HyperInit.initialLoraA(c, 3, "q_proj").data();
        double bound = 1 / Math.sqrt(64);
        assertTrue(Arrays.stream(box(a)).allMatch(x -> Math.abs(x) <= bound));
        assertArrayEquals(a, HyperInit.initialLoraA(c, 3, "q_proj").data());
        assertFalse(Arrays.equals(a, HyperInit.initialLoraA(c, 4, "q_proj").data()));
    }

    @Test
    void reconInitIsDeterministicPerSeed() {
        HyperConfig c = tiny(Variant.M, TrainingTask.RECON);
        float[] e = randomEmbedding(24, 2);
        try (HyperModulator a = HyperModulator.create(c, 11, null); HyperModulator b = HyperModulator.create(c, 11, null);
                HyperModulator d = HyperModulator.create(c, 12, null)) {
            assertArrayEquals(a.generate(e).get(1, "q_proj").a().data(), b.generate(e).get(1, "q_proj").a().data());
            assertFalse(Arrays.equals(a.generate(e).get(1, "q_proj").a().data(), d.generate(e).get(1, "q_proj").a().data()));
            assertFalse(a.parameters().containsKey("heads.q_proj.bias"), "recon with pred_z_score has no head bias");
        }
    }

    /** Gradients flow through every parameter; one coordinate against a central finite difference. */
    @ParameterizedTest
    @EnumSource(value = Variant.class, names = {"L", "M", "S"})
    void gradientsMatchFiniteDifferences(Variant v) {
        HyperConfig c = tiny(v, TrainingTask.RECON);
        try (NDManager nd = NDManager.newBaseManager("PyTorch"); HyperModulator h = HyperModulator.create(c, 5, nd)) {
            NDArray emb = nd.create(randomEmbedding(2 * 24, 9), new Shape(2, 24));
            NDArray layers = nd.create(new long[] {0, 1});
            h.parameters().values().forEach(p -> p.setRequiresGradient(true));
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                gc.backward(loss(h, layers, emb));
            }
            for (var e : h.parameters().entrySet()) {
                assertTrue(e.getValue().getGradient().abs().sum().getFloat() > 0, "no gradient reaches " + e.getKey());
            }
            NDArray w = h.parameters().get("mlp1.mlp.1.weight");
            float analytic = w.getGradient().getFloat(3, 5);
            float eps = 1e-2f;
            float base = w.getFloat(3, 5);
            w.set(new ai.djl.ndarray.index.NDIndex(3, 5), base + eps);
            float up = loss(h, layers, emb).getFloat();
            w.set(new ai.djl.ndarray.index.NDIndex(3, 5), base - eps);
            float down = loss(h, layers, emb).getFloat();
            float numeric = (up - down) / (2 * eps);
            assertEquals(analytic, numeric, 2e-2 * Math.max(1e-3, Math.abs(analytic)) + 1e-4, "d loss / d mlp1.mlp.1.weight[3,5]");
        }
    }

    private static NDArray loss(HyperModulator h, NDArray layers, NDArray emb) {
        NDArray enc = h.encodeTask(emb);
        NDArray total = null;
        for (String m : h.config().moduleOrder()) {
            NDList ab = h.deltaWeights(layers, m, enc);
            NDArray s = ab.get(0).pow(2).sum().add(ab.get(1).mul(0.5f).sum());
            total = total == null ? s : total.add(s);
        }
        return total.toType(DataType.FLOAT32, false);
    }

    private static Float[] box(float[] a) {
        Float[] b = new Float[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[i];
        }
        return b;
    }
}
