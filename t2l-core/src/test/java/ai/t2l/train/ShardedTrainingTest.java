package ai.t2l.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.t2l.io.FloatTensor;
import ai.t2l.model.Scalars;
import ai.t2l.model.Transformer;
import ai.t2l.train.data.Batch;
import ai.t2l.train.data.PreparedTask;
import ai.t2l.train.data.Sampler;
import ai.t2l.train.data.ShuffleSampler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Base-model training with each step's batch in two halves ({@link GradientShards}), in one process. */
class ShardedTrainingTest {
    @TempDir
    Path tmp;

    /** The halves' losses (token sums over the whole batch's token count) add up to the token mean, and so do their gradients. */
    @Test
    void theHalvesAddUpToTheWholeBatch() {
        List<PreparedTask> tasks = TrainSftTest.tasks();
        List<Sampler.Item> items = ShuffleSampler.byLength(tasks, 8, new Rng(3), 1).next();
        Batch whole = Batch.of(tasks, items, 0);
        Batch[] halves = {Batch.of(tasks, items.subList(0, 4), 0), Batch.of(tasks, items.subList(4, 8), 0)};
        assertEquals(whole.targetTokens(), halves[0].targetTokens() + halves[1].targetTokens());
        LmObjective mean = new LmObjective(0, 0, 0, Losses.Reduction.TOKEN_MEAN);
        LmObjective sum = new LmObjective(0, 0, 0, Losses.Reduction.TOKEN_SUM);
        double count = whole.targetTokens();
        try (Transformer model = BaseModels.fresh(TrainBaseModelTest.tiny("llama"), 5);
                NDManager m = NDManager.newBaseManager()) {
            TransformerLm lm = new TransformerLm(model);
            ParamSet weights = lm.weights();
            float[] expected = gradients(weights, m, scope -> mean.loss(scope, lm, null, whole, null, false)[0]);
            float[] first = gradients(weights, m,
                    scope -> Scalars.div(sum.loss(scope, lm, null, halves[0], null, false)[0], count));
            float[] second = gradients(weights, m,
                    scope -> Scalars.div(sum.loss(scope, lm, null, halves[1], null, false)[0], count));
            float[] added = GradientShards.sum(List.of(first, second));
            double scale = 0;
            for (float v : expected) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertTrue(scale > 1e-3, "the gradient is not trivially zero");
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], added[i], 1e-5 * scale, "gradient value " + i + " (the last is the loss)");
            }
        }
    }

    /** Flattened gradients of {@code loss} with the loss appended, as {@link Optimization#runShards} lays them out. */
    private static float[] gradients(ParamSet weights, NDManager m, Function<NDManager, NDArray> loss) {
        float value;
        try (NDManager scope = weights.scope(m); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray l = loss.apply(scope);
            value = l.getFloat();
            gc.backward(l);
        }
        float[] g = weights.flatGradients();
        weights.zeroGrad();
        float[] out = java.util.Arrays.copyOf(g, g.length + 1);
        out[g.length] = value;
        return out;
    }

    @Test
    void trainingInHalvesIsDeterministicAndLearns() {
        List<PreparedTask> tasks = TrainSftTest.tasks();
        List<float[]> finals = new ArrayList<>();
        for (String run : List.of("a", "b")) {
            List<Double> losses = new ArrayList<>();
            TrainListener record = new TrainListener() {
                @Override
                public void onStep(long step, long total, double loss, double lr, double tps) {
                    losses.add(loss);
                }
            };
            try (Transformer model = BaseModels.fresh(TrainBaseModelTest.tiny("llama"), 5)) {
                BaseModelTrainer.train(model, tasks, TrainBaseModelTest.config(40, 20), 0,
                        TrainBaseModelTest.folder(tmp.resolve(run), false), null, record, GradientShards.local());
                FloatTensor logits = model.logits(new int[] {1, 5, 6, 3, 2, 9}, null);
                finals.add(logits.data());
            }
            double first = losses.subList(0, 5).stream().mapToDouble(d -> d).average().orElseThrow();
            double last = losses.subList(35, 40).stream().mapToDouble(d -> d).average().orElseThrow();
            assertTrue(first > 3.0 && last < 0.5 * first, "loss in halves " + first + " -> " + last);
        }
        assertArrayEquals(finals.get(0), finals.get(1), 0f, "two runs with the same seed");
    }
}
