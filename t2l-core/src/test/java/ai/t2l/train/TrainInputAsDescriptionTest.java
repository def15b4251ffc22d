package ai.t2l.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import ai.t2l.train.data.DescriptionSource;
import ai.t2l.train.data.HierarchicalSampler;
import ai.t2l.train.data.PreparedTask;
import ai.t2l.train.data.Sampler;
import ai.t2l.train.run.RunFolder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Hyperdecoders' data path (spec §9, reference {@code use_inp_as_desc} + {@code PerSampleEmbSFTDataset}): each
 * example is conditioned on its own row of the task's table (one row per example, file order), in training and in
 * validation.
 */
class TrainInputAsDescriptionTest {
    @TempDir
    Path tmp;

    static List<PreparedTask> tasks() {
        List<PreparedTask> t = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            t.add(Toy.task("t" + i, "acd".charAt(i), 16, 20 + i)); // 12 train + 4 validation each
        }
        return t;
    }

    /** One row per example (train then validation, the file order), dim 8, norm √8. */
    static List<float[][]> perExample(List<PreparedTask> tasks, long seed) {
        Random r = new Random(seed);
        List<float[][]> out = new ArrayList<>();
        for (PreparedTask p : tasks) {
            float[][] e = new float[p.train().size() + p.validation().size()][8];
            for (float[] row : e) {
                for (int i = 0; i < row.length; i++) {
                    row[i] = (float) r.nextGaussian();
                }
            }
            out.add(e);
        }
        return out;
    }

    @Test
    void theSamplerPairsEveryExampleWithItsOwnRow() {
        List<PreparedTask> tasks = tasks();
        HierarchicalSampler s = new HierarchicalSampler(tasks, 2, 3, new Rng(7), DescriptionSource.INPUT);
        int checked = 0;
        for (int step = 0; step < 10; step++) {
            for (Sampler.Item it : s.next()) {
                assertEquals(it.example(), it.description(), "row of " + it);
                checked++;
            }
        }
        assertEquals(60, checked);
        // a task's descriptions are drawn uniformly otherwise (2 per toy task)
        HierarchicalSampler d = new HierarchicalSampler(tasks, 2, 3, new Rng(7));
        assertTrue(d.next().stream().allMatch(it -> it.description() == 0 || it.description() == 1));
    }

    @Test
    void validationExampleJUsesRowTrainSizePlusJ() {
        assertEquals(14, DescriptionSource.INPUT.validationRow(2, 12, 16));
        assertEquals(1, DescriptionSource.TASK.validationRow(5, 12, 2)); // the reference's i mod n
        assertEquals(-1, DescriptionSource.TASK.validationRow(5, 12, 0));
    }

    /**
     * Validation example j is conditioned on row (train size + j): the loss ignores what the training rows hold,
     * and changes when the validation rows change or trade places.
     */
    @Test
    void validationUsesEachValidationExamplesOwnRow() {
        List<PreparedTask> tasks = tasks();
        List<float[][]> all = perExample(tasks, 3);
        List<float[][]> otherTrainRows = perExample(tasks, 4);
        List<float[][]> otherValRows = perExample(tasks, 3);
        List<float[][]> swappedVal = perExample(tasks, 3);
        for (int t = 0; t < tasks.size(); t++) {
            int nTrain = tasks.get(t).train().size();
            for (int k = nTrain; k < all.get(t).length; k++) {
                otherTrainRows.get(t)[k] = all.get(t)[k];
                otherValRows.get(t)[k] = perExample(tasks, 9).get(t)[k];
            }
            swappedVal.get(t)[nTrain] = all.get(t)[nTrain + 1];
            swappedVal.get(t)[nTrain + 1] = all.get(t)[nTrain];
        }
        try (TinyLm lm = Toy.lm(DataType.FLOAT32); NDManager m = NDManager.newBaseManager();
                TinyHyper hyper = new TinyHyper(m, Toy.lora(0), lm, 8, 16, 3)) {
            // move off the zero-head init so the rows matter
            Random r = new Random(5);
            for (String name : hyper.params().names()) {
                ai.djl.ndarray.NDArray p = hyper.params().get(name);
                float[] v = p.toFloatArray();
                for (int i = 0; i < v.length; i++) {
                    v[i] += (float) (r.nextGaussian() * 0.3);
                }
                p.set(v);
            }
            java.util.function.Function<List<float[][]>, Double> val = e -> Validation.loss(m, lm, hyper, tasks, e,
                    Losses.Reduction.SAMPLE_MEAN, 8, 0, DescriptionSource.INPUT);
            double own = val.apply(all);
            assertEquals(own, val.apply(otherTrainRows), 1e-9, "training rows are not read by validation");
            assertTrue(Math.abs(own - val.apply(otherValRows)) > 1e-4, "validation rows are read");
            assertTrue(Math.abs(own - val.apply(swappedVal)) > 1e-6, "example j reads row train+j, not another");
        }
    }

    @Test
    void sftOnTheInputTrainsAndNeedsOneRowPerExample() {
        List<PreparedTask> tasks = tasks();
        SftTrainer.Config c = new SftTrainer.Config(Toy.optim(1e-2), 2, 2, 1, 4, 0.1, 5, 1e-3, 2, 10, 42)
                .withDescriptions(DescriptionSource.INPUT);
        try (TinyLm lm = Toy.lm(DataType.FLOAT32); NDManager m = NDManager.newBaseManager();
                TinyHyper hyper = new TinyHyper(m, Toy.lora(0.05), lm, 8, 16, 3)) {
            SftTrainer.Result r = SftTrainer.train(lm, hyper, tasks, perExample(tasks, 1), c, 0,
                    folder(tmp.resolve("ok")), TrainListener.NONE);
            assertEquals(4, r.steps());
            assertTrue(Double.isFinite(r.valLoss()), "validation ran on the examples' own rows: " + r.valLoss());
            // the per-task table of T2L (2 descriptions) does not have a row per example
            T2lException e = assertThrows(T2lException.class, () -> SftTrainer.train(lm, hyper, tasks,
                    Toy.embeddings(tasks.size(), 1), c, 0, folder(tmp.resolve("bad")), TrainListener.NONE));
            assertTrue(e.getMessage().contains("task t0: input-as-description needs one embedding per example (16),"
                    + " found 2"), e.getMessage());
        }
    }

    static RunFolder folder(Path dir) {
        return RunFolder.open(dir, "sft", Json.MAPPER.createObjectNode(), Map.of(), false);
    }
}
