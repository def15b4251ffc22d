package ai.t2l.hypernet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.t2l.compute.HeadProduct;
import ai.t2l.io.FloatTensor;
import ai.t2l.lora.LoraConfig;
import ai.t2l.lora.LoraWeights;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Generation with the trunk on Java arrays ({@link JavaTrunk}) and the head products on the Java kernel
 * ({@link JavaHeads}) gives the adapters of the engine path (trunk and head on the engine, then slicing, B's
 * transposition and offsets: {@link AdapterReadout#read}), for every variant, with rotary and learnable positions,
 * for modules with in = out, in &gt; out and in &lt; out (M and S then skip head rows), with several tasks per call
 * and row counts that are not multiples of the kernel's 32-row blocks, SFT (random offsets, and all-zero offsets,
 * which the readout applies in the head's tiles) and recon (z-score + offsets).
 */
class JavaHeadsTest {
    private static final double ATOL = 1e-5;

    static Stream<Arguments> configs() {
        return Stream.of(Variant.values()).flatMap(v -> Stream.of(
                Arguments.of(v, TrainingTask.SFT, false, 3, false, 3),
                Arguments.of(v, TrainingTask.SFT, false, 2, true, 3),
                Arguments.of(v, TrainingTask.SFT, false, 2, true, 8),
                Arguments.of(v, TrainingTask.RECON, false, 2, false, 3),
                Arguments.of(v, TrainingTask.SFT, v.autoregGen, 1, false, 3)));
    }

    /** Rank 8 is the kernel's tile height: S then writes a tile of B's rows as one transposed block. */
    @ParameterizedTest(name = "{0} {1} learnablePos={2} tasks={3} zeroOffsets={4} rank={5}")
    @MethodSource("configs")
    void javaHeadsGiveTheEngineAdapters(Variant v, TrainingTask task, boolean learnablePos, int tasks,
            boolean zeroOffsets, int rank) {
        HyperConfig c = config(v, task, learnablePos, rank);
        Map<String, FloatTensor> state = randomState(c, 7);
        if (zeroOffsets) {
            state.replaceAll((k, t) -> k.startsWith("AB_offset.") ? new FloatTensor(new float[t.data().length],
                    t.shape()) : t);
        }
        try (NDManager nd = NDManager.newBaseManager("PyTorch");
                HyperModulator h = HyperModulator.fromState(c, state, "random", nd)) {
            SplittableRandom r = new SplittableRandom(11);
            float[] emb = new float[tasks * c.taskEmbDim()];
            for (int i = 0; i < emb.length; i++) {
                emb[i] = (float) r.nextGaussian();
            }
            NDArray encoded = h.encodeTask(nd.create(emb, new Shape(tasks, c.taskEmbDim())));
            List<LoraWeights> engine = h.generateEncoded(encoded, false);
            List<LoraWeights> java = h.generateEncoded(encoded, true);
            assertEquals(tasks, java.size());
            double worst = 0;
            for (int t = 0; t < tasks; t++) {
                for (Map.Entry<LoraWeights.Site, LoraWeights.Pair> e : engine.get(t).pairs().entrySet()) {
                    LoraWeights.Pair got = java.get(t).pairs().get(e.getKey());
                    String where = v + " task " + t + " layer " + e.getKey().layer() + " " + e.getKey().module();
                    worst = Math.max(worst, close(where + " A", e.getValue().a(), got.a()));
                    worst = Math.max(worst, close(where + " B", e.getValue().b(), got.b()));
                }
            }
            System.out.printf("java heads %s %s: max|diff| %.3g%n", v, task, worst);
        }
    }

    private static HyperConfig config(Variant v, TrainingTask task, boolean learnablePos, int rank) {
        return HyperConfig.builder().variant(v).latentSize(16).headInSize(40).taskEmbDim(24).numLayers(5)
                .module("q_proj", 48, 48).module("v_proj", 48, 20).module("up_proj", 20, 56).trainingTask(task)
                .lora(new LoraConfig(rank, 2 * rank, true, 0.05, List.of("q_proj", "v_proj", "up_proj")))
                .predZScore(task == TrainingTask.RECON).factorized(true).headUseBias(true)
                .learnablePosEmb(learnablePos).build();
    }

    /**
     * All-zero SFT offsets are applied in the head's tiles, with the finiteness check
     * ({@link AdapterReadout#readJava}); once {@link HyperModulator#buffers()} is handed out, a pass over the
     * adapters applies them instead. Both give the same bits.
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(Variant.class)
    void zeroOffsetsInTheTilesGiveTheBitsOfThePass(Variant v) {
        HyperConfig c = config(v, TrainingTask.SFT, false, 8);
        Map<String, FloatTensor> state = randomState(c, 5);
        state.replaceAll((k, t) -> k.startsWith("AB_offset.") ? new FloatTensor(new float[t.data().length],
                t.shape()) : t);
        try (NDManager nd = NDManager.newBaseManager("PyTorch");
                HyperModulator h = HyperModulator.fromState(c, state, "random", nd)) {
            NDArray encoded = h.encodeTask(nd.create(new float[] {
                0.3f, -1f, 0.5f, 2f, 0.1f, -0.2f, 0.7f, 1.1f, -0.4f, 0.9f, 0.2f, -1.3f,
                0.6f, 0.05f, -0.8f, 1.4f, -0.1f, 0.3f, 0.8f, -0.6f, 1.2f, -0.9f, 0.4f, 0.15f}, new Shape(1, 24)));
            LoraWeights inTiles = h.generateEncoded(encoded, true).get(0);
            h.buffers();
            LoraWeights inAPass = h.generateEncoded(encoded, true).get(0);
            for (Map.Entry<LoraWeights.Site, LoraWeights.Pair> e : inAPass.pairs().entrySet()) {
                LoraWeights.Pair got = inTiles.pairs().get(e.getKey());
                assertTrue(java.util.Arrays.equals(e.getValue().a().data(), got.a().data()), e.getKey() + " A");
                assertTrue(java.util.Arrays.equals(e.getValue().b().data(), got.b().data()), e.getKey() + " B");
            }
        }
    }

    private static double close(String where, FloatTensor want, FloatTensor got) {
        assertEquals(java.util.Arrays.toString(want.shape()), java.util.Arrays.toString(got.shape()), where + " shape");
        double worst = 0;
        for (int i = 0; i < want.data().length; i++) {
            double d = Math.abs(want.data()[i] - got.data()[i]);
            worst = Math.max(worst, d);
            if (!(d <= ATOL)) {
                throw new AssertionError(where + " element " + i + ": engine " + want.data()[i] + ", java "
                        + got.data()[i] + " (|Δ| " + d + " > " + ATOL + ")");
            }
        }
        assertTrue(worst <= ATOL);
        return worst;
    }

    /** Every tensor random (heads and buffers included), seeded, scale 0.3, std buffers positive. */
    static Map<String, FloatTensor> randomState(HyperConfig c, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>(c.bufferShapes());
        shapes.putAll(c.parameterShapes());
        shapes.forEach((k, shape) -> {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            float[] d = new float[(int) n];
            for (int i = 0; i < d.length; i++) {
                d[i] = k.startsWith("std_") ? (float) (0.5 + r.nextDouble()) : (float) (0.3 * r.nextGaussian());
            }
            out.put(k, new FloatTensor(d, shape));
        });
        return out;
    }

    /**
     * The packed copies of the head and trunk weights are kept between calls only while nobody holds the parameters:
     * after {@link HyperModulator#parameters()} a change made in place (as a trainer's step makes it) shows in the
     * next adapter, which then matches the engine path on the changed weights.
     */
    @org.junit.jupiter.api.Test
    void aHeadOrTrunkWeightChangedInPlaceAfterParametersIsSeen() {
        HyperConfig c = HyperConfig.builder().variant(Variant.M).latentSize(16).headInSize(40).taskEmbDim(24)
                .numLayers(3).module("q_proj", 48, 48).module("v_proj", 48, 20).trainingTask(TrainingTask.SFT)
                .lora(new LoraConfig(3, 6, true, 0.05, List.of("q_proj", "v_proj"))).headUseBias(true).build();
        try (NDManager nd = NDManager.newBaseManager("PyTorch");
                HyperModulator h = HyperModulator.fromState(c, randomState(c, 3), "random", nd)) {
            float[] emb = new float[c.taskEmbDim()];
            java.util.Arrays.fill(emb, 0.5f);
            NDArray encoded = h.encodeTask(nd.create(emb, new Shape(1, c.taskEmbDim())));
            LoraWeights before = h.generateEncoded(encoded, true).get(0);
            assertTrue(h.packedHeadBytes() > 0, "the packed heads are kept between calls");
            Map<String, NDArray> params = h.parameters();
            NDArray w = params.get("heads.q_proj.weight");
            assertEquals(0, h.packedHeadBytes(), "handing out the parameters drops the packed copy");
            w.muli(2f); // in place, as an optimizer step
            LoraWeights after = h.generateEncoded(encoded, true).get(0);
            LoraWeights engine = h.generateEncoded(encoded, false).get(0);
            LoraWeights.Site site = new LoraWeights.Site(0, "q_proj");
            assertTrue(Math.abs(before.pairs().get(site).a().data()[0] - after.pairs().get(site).a().data()[0]) > 1e-3,
                    "the change in place did not reach the adapter");
            for (Map.Entry<LoraWeights.Site, LoraWeights.Pair> e : engine.pairs().entrySet()) {
                close("after the change " + e.getKey() + " A", e.getValue().a(), after.pairs().get(e.getKey()).a());
                close("after the change " + e.getKey() + " B", e.getValue().b(), after.pairs().get(e.getKey()).b());
            }
            params.get("mixer.4.bias").addi(0.25f); // the trunk's weights: packed for JavaTrunk the same way
            LoraWeights afterTrunk = h.generateEncoded(encoded, true).get(0);
            LoraWeights engineTrunk = h.generateEncoded(encoded, false).get(0);
            for (Map.Entry<LoraWeights.Site, LoraWeights.Pair> e : engineTrunk.pairs().entrySet()) {
                LoraWeights.Pair got = afterTrunk.pairs().get(e.getKey());
                close("after the trunk change " + e.getKey() + " A", e.getValue().a(), got.a());
                close("after the trunk change " + e.getKey() + " B", e.getValue().b(), got.b());
            }
        }
    }

    @org.junit.jupiter.api.Test
    void theVectorKernelRunsInTheTestJvm() {
        // the surefire argLine adds jdk.incubator.vector; without it the test above would compare the engine with itself
        assertTrue(HeadProduct.fast(), "the Java head kernel is not active: is --add-modules jdk.incubator.vector set?");
    }
}
