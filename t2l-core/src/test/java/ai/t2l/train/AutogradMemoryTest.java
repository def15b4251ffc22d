package ai.t2l.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.t2l.hypernet.HyperConfig;
import ai.t2l.hypernet.HyperModulator;
import ai.t2l.hypernet.TrainingTask;
import ai.t2l.model.ForwardInput;
import ai.t2l.model.ModelConfig;
import ai.t2l.model.Transformer;
import ai.t2l.train.data.Batch;
import ai.t2l.train.data.PreparedTask;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Backward must not read memory the JVM may free. The forward pass closes its intermediates before the caller runs
 * backward, and an array made by DJL's {@code create} (or the scalar of DJL's {@code mul(Number)}) lives in a Java
 * direct buffer that the garbage collector frees once the array is closed, although autograd still holds the tensor.
 * Between forward and backward these tests let the collector run and fill fresh direct buffers (which reuse the freed
 * memory) with 0xFF bytes; the gradients must equal those of an undisturbed step. Without {@code OwnedArrays} and
 * {@code Scalars} they failed (out-of-range embedding indices, wrong gradients): the cause of the miniature build's
 * random NaN gradients and of two same-seed builds that differed.
 */
class AutogradMemoryTest {
    /** Every family: Gemma 2 adds GELU, soft-capping and scaled embeddings to the path. */
    @ParameterizedTest
    @ValueSource(strings = {"llama", "gemma2", "qwen2"})
    void baseModelGradientsDoNotDependOnFreedMemory(String family) {
        ModelConfig c = TrainBaseModelTest.tiny(family);
        int[][] ids = randomIds(4, 24, Toy.VOCAB);
        try (Transformer model = RandomModel.create(c, 3); NDManager m = NDManager.newBaseManager()) {
            ParamSet weights = ParamSet.wrap(model.manager(), model.parameters());
            try {
                assertSameGradients(weights, m,
                        scope -> model.forward(scope, ForwardInput.of(ids)).logits().square().mean());
            } finally {
                model.parameters().values().forEach(p -> p.setRequiresGradient(false));
            }
        }
    }

    @Test
    void sftGradientsOfAHypernetworkDoNotDependOnFreedMemory() {
        ModelConfig mc = RandomModel.config(Toy.VOCAB, 32, 2, 4, 2, 64);
        List<PreparedTask> tasks = TrainSftTest.tasks();
        List<float[][]> embeddings = Toy.embeddings(tasks.size(), 4);
        try (Transformer model = RandomModel.create(mc, 3); NDManager m = NDManager.newBaseManager()) {
            HyperConfig hc = HyperConfig.builder().lora(Toy.lora(0.0)).dimsFrom(mc).taskEmbDim(8).latentSize(16)
                    .headInSize(32).trainingTask(TrainingTask.SFT).build();
            try (HyperModulator hyper = HyperModulator.create(hc, 1, m);
                    HyperLoraSource source = new HyperLoraSource(hyper, m)) {
                hyper.setTraining(false); // no dropout: both steps must see the same network
                TransformerLm lm = new TransformerLm(model);
                LmObjective objective = new LmObjective(0.1, 0, 1e-3, Losses.Reduction.SAMPLE_MEAN);
                List<ai.t2l.train.data.TokenizedExample> rows = new ArrayList<>();
                int[] taskOf = new int[tasks.size()];
                int[] descOf = new int[tasks.size()];
                for (int t = 0; t < tasks.size(); t++) {
                    rows.add(tasks.get(t).train().get(0));
                    taskOf[t] = t;
                    descOf[t] = t % 2;
                }
                Batch batch = Batch.collate(rows, taskOf, descOf, 0);
                assertSameGradients(source.params(), m, scope -> objective.loss(scope, lm, source, batch,
                        LmObjective.embeddingRows(scope, batch, embeddings, lm.dataType()), false)[0]);
            }
        }
    }

    /**
     * The tests' own small LM and hypernetwork (TrainSftTest trains them): its attention divided by DJL's
     * {@code div(Number)}, so TrainSftTest hit NaN gradients at random steps (1 run in 12 at d00d7fd; every run with
     * a thread calling System.gc()) until TinyLm used {@code Scalars.div}.
     */
    @Test
    void sftGradientsOfTheTestModelsDoNotDependOnFreedMemory() {
        List<PreparedTask> tasks = TrainSftTest.tasks();
        List<float[][]> embeddings = Toy.embeddings(tasks.size(), 1);
        try (TinyLm lm = Toy.lm(ai.djl.ndarray.types.DataType.FLOAT32); NDManager m = NDManager.newBaseManager();
                TinyHyper hyper = new TinyHyper(m, Toy.lora(0.05), lm, 8, 16, 3)) {
            LmObjective objective = new LmObjective(0.1, 0, 1e-3, Losses.Reduction.SAMPLE_MEAN);
            List<ai.t2l.train.data.TokenizedExample> rows = new ArrayList<>();
            int[] taskOf = new int[tasks.size()];
            int[] descOf = new int[tasks.size()];
            for (int t = 0; t < tasks.size(); t++) {
                rows.add(tasks.get(t).train().get(0));
                taskOf[t] = t;
            }
            Batch batch = Batch.collate(rows, taskOf, descOf, 0);
            assertSameGradients(hyper.params(), m, scope -> objective.loss(scope, lm, hyper, batch,
                    LmObjective.embeddingRows(scope, batch, embeddings, lm.dataType()), false)[0]);
        }
    }

    private static void assertSameGradients(ParamSet params, NDManager m, Function<NDManager, NDArray> loss) {
        Map<String, float[]> undisturbed = gradients(params, m, loss, false);
        for (int round = 0; round < 3; round++) {
            Map<String, float[]> disturbed = gradients(params, m, loss, true);
            undisturbed.forEach((name, g) -> assertArrayEquals(g, disturbed.get(name), 0f,
                    "gradient of " + name + " changed when freed memory was reused before backward"));
        }
    }

    private static Map<String, float[]> gradients(ParamSet params, NDManager m, Function<NDManager, NDArray> loss,
            boolean reuseFreedMemory) {
        try (NDManager scope = params.scope(m); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray l = loss.apply(scope);
            if (reuseFreedMemory) {
                reuseFreedMemory();
            }
            gc.backward(l);
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager scope = params.scope(m)) {
            for (String name : params.names()) {
                out.put(name, params.grad(name).toFloatArray());
            }
        }
        params.zeroGrad();
        return out;
    }

    /** Collects garbage (its cleaner frees unreachable direct buffers), then fills new buffers of similar sizes. */
    private static void reuseFreedMemory() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<ByteBuffer> junk = new ArrayList<>();
        for (int size = 4; size <= 16384; size += size < 64 ? 4 : 64) {
            for (int k = 0; k < 4; k++) {
                ByteBuffer b = ByteBuffer.allocateDirect(size);
                while (b.hasRemaining()) {
                    b.put((byte) 0xFF);
                }
                junk.add(b);
            }
        }
    }

    private static int[][] randomIds(int rows, int seq, int vocab) {
        Random r = new Random(5);
        int[][] ids = new int[rows][seq];
        for (int[] row : ids) {
            for (int t = 0; t < seq; t++) {
                row[t] = r.nextInt(vocab);
            }
        }
        return ids;
    }
}
