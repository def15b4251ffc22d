package ai.t2l.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.t2l.hypernet.HyperConfig;
import ai.t2l.hypernet.HyperModulator;
import ai.t2l.hypernet.TrainingTask;
import ai.t2l.io.Json;
import ai.t2l.model.ModelConfig;
import ai.t2l.model.Transformer;
import ai.t2l.train.data.PreparedTask;
import ai.t2l.train.run.RunFolder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainers on the real runtime Transformer and HyperModulator (tiny random sizes). */
class TrainRuntimeTest {
    @TempDir
    Path tmp;

    @Test
    void sftThroughTheRuntimeTransformerTrainsTheHyperModulator() {
        ModelConfig mc = RandomModel.config(Toy.VOCAB, 32, 2, 4, 2, 64);
        List<PreparedTask> tasks = TrainSftTest.tasks();
        try (Transformer model = RandomModel.create(mc, 3); NDManager m = NDManager.newBaseManager()) {
            HyperConfig hc = HyperConfig.builder().lora(Toy.lora(0.05)).dimsFrom(mc).taskEmbDim(8).latentSize(16)
                    .headInSize(32).trainingTask(TrainingTask.SFT).build();
            try (HyperModulator hyper = HyperModulator.create(hc, 1, m);
                    HyperLoraSource source = new HyperLoraSource(hyper, m)) {
                List<Double> losses = new ArrayList<>();
                TrainListener record = new TrainListener() {
                    @Override
                    public void onStep(long step, long total, double loss, double lr, double tps) {
                        losses.add(loss);
                    }
                };
                SftTrainer.train(new TransformerLm(model), source, tasks, Toy.embeddings(tasks.size(), 4),
                        TrainSftTest.config(40, 1e-2, 1e-3), 0,
                        RunFolder.open(tmp.resolve("sft"), "sft", Json.MAPPER.createObjectNode(), Map.of(), false), record);
                double first = losses.subList(0, 5).stream().mapToDouble(d -> d).average().orElseThrow();
                double last = losses.subList(35, 40).stream().mapToDouble(d -> d).average().orElseThrow();
                assertTrue(last < 0.8 * first, "SFT training loss " + first + " -> " + last);
            }
        }
    }

    @Test
    void oracleLoraThroughTheRuntimeTransformer() {
        ModelConfig mc = RandomModel.config(Toy.VOCAB, 32, 2, 4, 2, 64);
        PreparedTask task = Toy.task("abab", 'a', 48, 1);
        try (Transformer model = RandomModel.create(mc, 3)) {
            OracleLoraTrainer.Result r = OracleLoraTrainer.train(new TransformerLm(model), task, Toy.oracle(40, 20), 0,
                    RunFolder.open(tmp.resolve("lora"), "lora", Json.MAPPER.createObjectNode(), Map.of(), false),
                    TrainListener.NONE);
            assertTrue(r.bestValLoss() < 0.5 * r.baseValLoss(), r.baseValLoss() + " -> " + r.bestValLoss());
        }
    }
}
