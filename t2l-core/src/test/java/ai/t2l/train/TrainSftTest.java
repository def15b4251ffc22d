package ai.t2l.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import ai.t2l.train.data.Batch;
import ai.t2l.train.data.PreparedTask;
import ai.t2l.train.data.TokenizedExample;
import ai.t2l.train.run.RunFolder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainSftTest {
    @TempDir
    Path tmp;

    static List<PreparedTask> tasks() {
        List<PreparedTask> t = new ArrayList<>();
        String symbols = "acdef";
        for (int i = 0; i < symbols.length(); i++) {
            t.add(Toy.task("t" + i, symbols.charAt(i), 16, 10 + i));
        }
        return t;
    }

    static SftTrainer.Config config(long steps, double lr, double l2) {
        return new SftTrainer.Config(Toy.optim(lr), 2, 2, 1, steps, 0.1, 5, l2, 0, 10, 42);
    }

    static RunFolder folder(Path dir) {
        return RunFolder.open(dir, "sft", Json.MAPPER.createObjectNode(), Map.of(), false);
    }

    @Test
    void sftLowersTrainingLossFromBiasHyperInit() {
        List<PreparedTask> tasks = tasks();
        try (TinyLm lm = Toy.lm(DataType.FLOAT32); NDManager m = NDManager.newBaseManager();
                TinyHyper hyper = new TinyHyper(m, Toy.lora(0.05), lm, 8, 16, 3)) {
            List<Double> losses = new ArrayList<>();
            TrainListener record = new TrainListener() {
                @Override
                public void onStep(long step, long total, double loss, double lr, double tps) {
                    losses.add(loss);
                }
            };
            SftTrainer.train(lm, hyper, tasks, Toy.embeddings(tasks.size(), 1), config(60, 1e-2, 1e-3), 0,
                    folder(tmp.resolve("sft")), record);
            double first = losses.subList(0, 5).stream().mapToDouble(d -> d).average().orElseThrow();
            double last = losses.subList(55, 60).stream().mapToDouble(d -> d).average().orElseThrow();
            assertTrue(last < 0.6 * first, "training loss " + first + " -> " + last);
        }
    }

    @Test
    void multiTaskLoraRunsTheSameLoop() {
        List<PreparedTask> tasks = tasks();
        try (TinyLm lm = Toy.lm(DataType.FLOAT32); NDManager m = NDManager.newBaseManager();
                SharedLora lora = new SharedLora(m, Toy.lora(0.05), lm, new Rng(1))) {
            SftTrainer.Result r = SftTrainer.train(lm, lora, tasks, null, config(30, 2e-2, 0), 0,
                    folder(tmp.resolve("mt")), TrainListener.NONE);
            assertTrue(r.lastLoss() < r.firstLoss(), r.firstLoss() + " -> " + r.lastLoss());
        }
    }

    @Test
    void taskWithoutDescriptionsIsRejected() {
        List<PreparedTask> tasks = tasks();
        List<float[][]> emb = Toy.embeddings(tasks.size(), 1);
        emb.set(2, new float[0][]);
        try (TinyLm lm = Toy.lm(DataType.FLOAT32); NDManager m = NDManager.newBaseManager();
                TinyHyper hyper = new TinyHyper(m, Toy.lora(0), lm, 8, 16, 3)) {
            T2lException e = assertThrows(T2lException.class, () -> SftTrainer.train(lm, hyper, tasks, emb,
                    config(2, 1e-2, 0), 0, folder(tmp.resolve("nodesc")), TrainListener.NONE));
            assertTrue(e.getMessage().contains("task t2 has no descriptions"), e.getMessage());
        }
    }

    /**
     * The SFT loss (per-sample CE with label smoothing + L2 on generated A/B, through per-row LoRAs in the base
     * model) differentiated by autograd vs central finite differences, all in float64.
     */
    @Test
    void sftGradientMatchesFiniteDifferencesInFloat64() {
        List<PreparedTask> tasks = tasks();
        List<float[][]> emb = Toy.embeddings(tasks.size(), 2);
        try (TinyLm lm = Toy.lm(DataType.FLOAT64); NDManager m = NDManager.newBaseManager();
                TinyHyper hyper = new TinyHyper(m, Toy.lora(0), lm, 8, 16, 3)) {
            // move away from the zero-head init so every parameter has a gradient
            java.util.Random r = new java.util.Random(5);
            for (String name : hyper.params().names()) {
                NDArray p = hyper.params().get(name);
                double[] v = p.toDoubleArray();
                for (int i = 0; i < v.length; i++) {
                    v[i] += r.nextGaussian() * 0.1;
                }
                p.set(v);
            }
            List<TokenizedExample> rows = List.of(tasks.get(0).train().get(0), tasks.get(1).train().get(3),
                    tasks.get(2).train().get(5));
            Batch batch = Batch.collate(rows, new int[] {0, 1, 2}, new int[] {0, 1, 1}, 0);
            LmObjective objective = new LmObjective(0.1, 0, 1e-3, Losses.Reduction.SAMPLE_MEAN);
            java.util.function.Supplier<Double> loss = () -> {
                try (NDManager s = hyper.params().scope(m)) {
                    NDArray e = LmObjective.embeddingRows(s, batch, emb, DataType.FLOAT64);
                    return objective.loss(s, lm, hyper, batch, e, true)[0].getDouble();
                }
            };
            try (NDManager s = hyper.params().scope(m); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray e = LmObjective.embeddingRows(s, batch, emb, DataType.FLOAT64);
                gc.backward(objective.loss(s, lm, hyper, batch, e, true)[0]);
            }
            String[][] checks = {{"w1", "0"}, {"w1", "37"}, {"b1", "3"}, {"0.q_proj.w", "11"}, {"1.v_proj.w", "200"},
                {"0.v_proj.b", "5"}, {"1.q_proj.b", "70"}};
            double h = 1e-6;
            for (String[] c : checks) {
                NDArray p = hyper.params().get(c[0]);
                int i = Integer.parseInt(c[1]);
                double analytic;
                try (NDManager s = hyper.params().scope(m)) {
                    analytic = hyper.params().grad(c[0]).toDoubleArray()[i];
                }
                double[] v = p.toDoubleArray();
                double orig = v[i];
                v[i] = orig + h;
                p.set(v);
                double plus = loss.get();
                v[i] = orig - h;
                p.set(v);
                double minus = loss.get();
                v[i] = orig;
                p.set(v);
                double numeric = (plus - minus) / (2 * h);
                double rel = Math.abs(analytic - numeric) / Math.max(1e-12, Math.max(Math.abs(analytic), Math.abs(numeric)));
                assertTrue(rel < 1e-4, c[0] + "[" + i + "]: autograd " + analytic + " vs finite difference " + numeric
                        + " (relative error " + rel + ")");
                assertTrue(Math.abs(analytic) > 1e-9, c[0] + "[" + i + "] has a zero gradient; pick another entry");
            }
            assertEquals(DataType.FLOAT64, hyper.params().get("w1").getDataType());
        }
    }
}
