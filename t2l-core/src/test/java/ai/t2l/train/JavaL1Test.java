package ai.t2l.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.t2l.hypernet.FeatureMajorLora;
import ai.t2l.hypernet.HyperConfig;
import ai.t2l.hypernet.HyperModulator;
import ai.t2l.hypernet.TrainingTask;
import ai.t2l.hypernet.Variant;
import ai.t2l.io.FloatTensor;
import ai.t2l.lora.LoraConfig;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.LoraWeights.Site;
import ai.t2l.model.ModelConfig;
import ai.t2l.model.Scalars;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The Java-made L1 against torch's l1_loss: the same value, and gradients equal bit for bit. */
class JavaL1Test {
    @Test
    void sameValueAndTheSameGradientBitsAsTorchsL1() {
        Random r = new Random(3);
        float[] p = new float[6 * 4 * 5];
        float[] t = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) r.nextGaussian();
            t[i] = i % 7 == 0 ? p[i] : (float) r.nextGaussian(); // some equal: sign 0, as torch's
        }
        try (NDManager m = NDManager.newBaseManager()) {
            for (boolean strided : new boolean[] {false, true}) {
                ParamSet params = new ParamSet(m);
                // strided: the parameter holds (6, 5, 4) and the prediction is its transposed view (6, 4, 5)
                float[] stored = strided ? transposeLast(p, 6, 4, 5) : p;
                NDArray w = params.add("w", m.create(stored, strided ? new Shape(6, 5, 4) : new Shape(6, 4, 5)));
                Function<NDManager, NDArray> prediction = s -> strided ? w.transpose(0, 2, 1) : w;
                JavaL1.Target target = (row, from, n, out) -> System.arraycopy(t, row * 20 + from, out, 0, n);
                Object[] engine = step(params, m, s -> Scalars.mul(Losses.l1(prediction.apply(s),
                        JavaL1.materialize(s, new Shape(6, 4, 5), 6, target)), 0.25));
                Object[] java = step(params, m, s -> Scalars.mul(JavaL1.loss(s, prediction.apply(s), 6, target), 0.25));
                assertEquals((double) engine[0], (double) java[0], 1e-7, "strided " + strided);
                assertArrayEquals((float[]) engine[1], (float[]) java[1], "strided " + strided);
                params.close();
            }
        }
    }

    @Test
    void theFeatureMajorLossHasTorchsValueAndGradientBits() {
        Random r = new Random(5);
        try (NDManager m = NDManager.newBaseManager()) {
            ParamSet params = new ParamSet(m);
            // one head output (20 features, A's 3 rows then B's 3) and one of its own (12 features, 3 rows)
            NDArray shared = params.add("shared", m.create(gaussian(r, 20 * 6), new Shape(20, 6)));
            NDArray own = params.add("own", m.create(gaussian(r, 12 * 3), new Shape(12, 3)));
            float[][] t = {gaussian(r, 3 * 20), gaussian(r, 3 * 20), gaussian(r, 3 * 12)};
            float[] sharedValues = shared.toFloatArray();
            for (int i = 0; i < 3; i++) {
                t[0][i * 20 + 4] = sharedValues[4 * 6 + i]; // some equal: sign 0, as torch's
            }
            Object[] engine = step(params, m, s -> {
                NDArray sum = null;
                NDArray[] predictions = {shared.get(":, :3").transpose(), shared.get(":, 3:").transpose(),
                        own.transpose()};
                for (int k = 0; k < 3; k++) {
                    NDArray target = s.create(t[k], predictions[k].getShape());
                    NDArray term = Scalars.mul(Losses.l1(predictions[k], target), 0.25);
                    sum = sum == null ? term : sum.add(term);
                }
                return sum;
            });
            Object[] java = step(params, m, s -> JavaL1.featureMajorLoss(s, List.of(
                    new JavaL1.Term(new FeatureMajorLora.Half(shared, 0, 6, 3, 20), rowsOf(t[0], 20), 0.25),
                    new JavaL1.Term(new FeatureMajorLora.Half(shared, 3, 6, 3, 20), rowsOf(t[1], 20), 0.25),
                    new JavaL1.Term(new FeatureMajorLora.Half(own, 0, 3, 3, 12), rowsOf(t[2], 12), 0.25))));
            assertEquals((double) engine[0], (double) java[0], 1e-6);
            assertArrayEquals((float[]) engine[1], (float[]) java[1]);

            IllegalArgumentException partial = assertThrows(IllegalArgumentException.class, () -> step(params, m,
                    s -> JavaL1.featureMajorLoss(s, List.of(new JavaL1.Term(new FeatureMajorLora.Half(shared, 0, 6, 3,
                            20), rowsOf(t[0], 20), 0.25)))));
            assertTrue(partial.getMessage().contains("cover 60 of the 120 values"), partial.getMessage());
            params.close();
        }
    }

    /**
     * A target read a rank apart (B stored (out, r)) has its blocks visited column range by column range: the same
     * value and the same gradient bits as in plain order, every value covered (two ranks of two 256-feature blocks).
     */
    @Test
    void blocksInColumnOrderGiveTheSameLoss() {
        Random r = new Random(9);
        int elements = 2 * 512;
        try (NDManager m = NDManager.newBaseManager()) {
            ParamSet params = new ParamSet(m);
            NDArray y = params.add("y", m.create(gaussian(r, elements * 3), new Shape(elements, 3)));
            float[] t = gaussian(r, 3 * elements);
            FeatureMajorLora.Half h = new FeatureMajorLora.Half(y, 0, 3, 3, elements);
            Object[] plain = step(params, m, s -> JavaL1.featureMajorLoss(s, List.of(
                    new JavaL1.Term(h, rowsOf(t, elements), 0.25, 0))));
            Object[] byColumns = step(params, m, s -> JavaL1.featureMajorLoss(s, List.of(
                    new JavaL1.Term(h, rowsOf(t, elements), 0.25, 512))));
            Object[] engine = step(params, m, s -> Scalars.mul(Losses.l1(y.transpose(), s.create(t,
                    new Shape(3, elements))), 0.25));
            assertEquals((double) plain[0], (double) byColumns[0], 0.0);
            assertArrayEquals((float[]) plain[1], (float[]) byColumns[1]);
            assertArrayEquals((float[]) engine[1], (float[]) byColumns[1]);
            params.close();
        }
    }

    private static JavaL1.Target rowsOf(float[] t, int elements) {
        return (row, from, n, out) -> System.arraycopy(t, row * elements + from, out, 0, n);
    }

    private static float[] gaussian(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    @Test
    void theReconstructionLossGivesTheGradientsOfTheEngineFormulation() {
        ModelConfig mc = RandomModel.config(Toy.VOCAB, 16, 2, 2, 1, 32); // v_proj 16 → 8: B is not square
        LoraConfig cfg = Toy.lora(0);
        List<LoraWeights> lib = TrainReconTest.offsetLibrary(mc, cfg, 4, new Random(11));
        Map<Site, FloatTensor[]> stats = ReconTrainer.stats(lib);
        List<float[][]> emb = Toy.embeddings(4, 3);
        int[] taskOf = {2, 0, 3};
        int[] descOf = {1, 0, 1};
        for (Variant v : new Variant[] {Variant.L, Variant.M, Variant.S}) {
            try (NDManager m = NDManager.newBaseManager()) {
                try (HyperModulator hyper = HyperModulator.create(reconHyper(mc, cfg, v, true), 1, m);
                        HyperLoraSource source = new HyperLoraSource(hyper, m)) {
                    ReconTrainer.Config c = reconRun(3, true);
                    // L and M read the head's feature-major output in place; S takes the rank-major path
                    try (NDManager probe = m.newSubManager()) {
                        assertEquals(v != Variant.S, source.generateFeatureMajorByModule(probe.create(new float[8],
                                new Shape(1, 8)), 1, false) != null, v.name());
                    }
                    Object[] java = step(source.params(), m,
                            s -> ReconTrainer.loss(s, source, lib, emb, stats, c, taskOf, descOf));
                    Object[] engine = step(source.params(), m,
                            s -> engineLoss(s, source, lib, emb, stats, taskOf, descOf));
                    assertTrue((double) java[0] > 0.1, v + ": loss " + java[0]);
                    assertEquals((double) engine[0], (double) java[0], 1e-6 * (double) engine[0], v.name());
                    assertArrayEquals((float[]) engine[1], (float[]) java[1], v.name());
                }
            }
        }
    }

    /** A small factorized reconstruction hypernetwork of variant v for the model's q/v shapes. */
    private static HyperConfig reconHyper(ModelConfig mc, LoraConfig cfg, Variant v, boolean zScore) {
        return HyperConfig.builder().lora(cfg).dimsFrom(mc).taskEmbDim(8).latentSize(16).headInSize(32).variant(v)
                .trainingTask(TrainingTask.RECON).factorized(true).predZScore(zScore).build();
    }

    /** One factorized reconstruction step's settings, {@code tasks} tasks per batch. */
    private static ReconTrainer.Config reconRun(int tasks, boolean zScore) {
        return new ReconTrainer.Config(Toy.optim(1e-2), tasks, 1, 1, 1, true, zScore, 10000, 1, 42);
    }

    /** A library made for another base model (v_proj 16 → 16 where the hypernetwork makes 16 → 8) is refused by name. */
    @Test
    void aLibraryOfAnotherShapeIsRefusedByName() {
        ModelConfig mc = RandomModel.config(Toy.VOCAB, 16, 2, 2, 1, 32);
        ModelConfig other = RandomModel.config(Toy.VOCAB, 16, 2, 2, 2, 32);
        LoraConfig cfg = Toy.lora(0);
        List<LoraWeights> lib = TrainReconTest.offsetLibrary(other, cfg, 2, new Random(11));
        List<float[][]> emb = Toy.embeddings(2, 1);
        for (Variant v : new Variant[] {Variant.M, Variant.S}) { // the feature-major path and the rank-major one
            try (NDManager m = NDManager.newBaseManager()) {
                try (HyperModulator hyper = HyperModulator.create(reconHyper(mc, cfg, v, false), 1, m);
                        HyperLoraSource source = new HyperLoraSource(hyper, m)) {
                    ReconTrainer.Config c = reconRun(2, false);
                    ai.t2l.io.T2lException e = assertThrows(ai.t2l.io.T2lException.class, () -> step(source.params(),
                            m, s -> ReconTrainer.loss(s, source, lib, emb, null, c, new int[] {0, 1}, new int[] {0, 0})));
                    assertTrue(e.getMessage().contains("v_proj B") && e.getMessage().contains("[16, 4]"),
                            v + ": " + e.getMessage());
                }
            }
        }
    }

    /** The loss as the engine computed it before (B in the LoRA layout, torch's l1_loss, engine-made targets). */
    private static NDArray engineLoss(NDManager s, LoraSource source, List<LoraWeights> lib, List<float[][]> emb,
            Map<Site, FloatTensor[]> stats, int[] taskOf, int[] descOf) {
        float[] e = new float[taskOf.length * 8];
        for (int i = 0; i < taskOf.length; i++) {
            System.arraycopy(emb.get(taskOf[i])[descOf[i]], 0, e, i * 8, 8);
        }
        Map<String, GeneratedLora.Pair> pred = source.generateByModule(s.create(e, new Shape(taskOf.length, 8)),
                taskOf.length, true);
        NDArray sum = null;
        for (Map.Entry<String, GeneratedLora.Pair> en : pred.entrySet()) {
            NDArray term = null;
            for (boolean isA : new boolean[] {true, false}) {
                NDList rows = new NDList();
                for (int l = 0; l < 2; l++) {
                    Site site = new Site(l, en.getKey());
                    for (int t : taskOf) {
                        FloatTensor x = isA ? lib.get(t).pairs().get(site).a() : lib.get(t).pairs().get(site).b();
                        FloatTensor mean = stats.get(site)[isA ? 0 : 2];
                        FloatTensor std = stats.get(site)[isA ? 1 : 3];
                        rows.add(s.create(x.data(), new Shape(x.shape())).sub(s.create(mean.data(), new Shape(
                                mean.shape()))).div(s.create(std.data(), new Shape(std.shape())).add(1e-10f)));
                    }
                }
                NDArray half = Scalars.mul(Losses.l1(isA ? en.getValue().a() : en.getValue().b(),
                        NDArrays.stack(rows)), 0.5);
                term = term == null ? half : term.add(half);
            }
            sum = sum == null ? term : sum.add(term);
        }
        return Scalars.div(sum, pred.size());
    }

    /** The loss's value and every gradient after one backward from zero gradients, with dropout seeded alike. */
    private static Object[] step(ParamSet params, NDManager m, Function<NDManager, NDArray> loss) {
        params.zeroGrad();
        ai.t2l.model.Dropout.seed(5);
        Engine.getInstance().setRandomSeed(5);
        double value;
        try (NDManager scope = params.scope(m); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray l = loss.apply(scope);
            value = l.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
            gc.backward(l);
        }
        return new Object[] {value, params.flatGradients()};
    }

    /** x (n, a, b) row-major as (n, b, a). */
    private static float[] transposeLast(float[] x, int n, int a, int b) {
        float[] out = new float[x.length];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < a; j++) {
                for (int k = 0; k < b; k++) {
                    out[(i * b + k) * a + j] = x[(i * a + j) * b + k];
                }
            }
        }
        return out;
    }
}
