package ai.t2l.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import ai.t2l.train.data.PreparedTask;
import ai.t2l.train.run.RunFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainOracleTest {
    @TempDir
    Path tmp;

    static RunFolder folder(Path dir, boolean resume) {
        return RunFolder.open(dir, "lora", Json.MAPPER.createObjectNode().put("seed", 42), Map.of(), resume);
    }

    @Test
    void oracleLoraLowersValidationLossWellBelowTheBaseModel() throws Exception {
        PreparedTask task = Toy.task("abab", 'a', 64, 1);
        try (TinyLm lm = Toy.lm(DataType.FLOAT32)) {
            Path dir = tmp.resolve("run");
            OracleLoraTrainer.Result r = OracleLoraTrainer.train(lm, task, Toy.oracle(60, 20), 0, folder(dir, false),
                    TrainListener.NONE);
            assertTrue(r.bestValLoss() < 0.5 * r.baseValLoss(), "validation loss " + r.bestValLoss()
                    + " vs base " + r.baseValLoss());
            LoraWeights written = PeftAdapter.read(dir.resolve("adapter"));
            assertEquals(4, written.pairs().size());
            assertTrue(Files.exists(dir.resolve("loss.svg")) && Files.exists(dir.resolve("metrics.jsonl")));
            assertTrue(Files.readString(dir.resolve("run.json")).contains("inputs_sha256"));
        }
    }

    @Test
    void resumedRunEndsWithBitIdenticalWeights() {
        PreparedTask task = Toy.task("abab", 'a', 40, 2);
        try (TinyLm lm = Toy.lm(DataType.FLOAT32)) {
            OracleLoraTrainer.Result full = OracleLoraTrainer.train(lm, task, Toy.oracle(14, 4), 0,
                    folder(tmp.resolve("full"), false), TrainListener.NONE);
            Path dir = tmp.resolve("killed");
            TrainListener killer = new TrainListener() {
                @Override
                public void onStep(long step, long total, double loss, double lr, double tps) {
                    if (step == 6) {
                        throw new IllegalStateException("killed");
                    }
                }
            };
            assertThrows(IllegalStateException.class, () -> OracleLoraTrainer.train(lm, task, Toy.oracle(14, 4), 0,
                    folder(dir, false), killer));
            OracleLoraTrainer.Result resumed = OracleLoraTrainer.train(lm, task, Toy.oracle(14, 4), 0,
                    folder(dir, true), TrainListener.NONE);
            assertEquals(full.steps(), resumed.steps());
            full.adapter().pairs().forEach((site, p) -> {
                LoraWeights.Pair q = resumed.adapter().pairs().get(site);
                assertArrayEquals(p.a().data(), q.a().data(), 0f, "A of " + site);
                assertArrayEquals(p.b().data(), q.b().data(), 0f, "B of " + site);
            });
            assertEquals(full.bestValLoss(), resumed.bestValLoss(), 0.0);
        }
    }

    @Test
    void occupiedRunFolderIsRefusedUnlessResuming() throws Exception {
        Path dir = tmp.resolve("occupied");
        folder(dir, false);
        T2lException e = assertThrows(T2lException.class, () -> folder(dir, false));
        assertTrue(e.getMessage().contains("already holds a lora run") && e.getMessage().contains("--resume"),
                e.getMessage());
        e = assertThrows(T2lException.class, () -> RunFolder.open(dir, "lora",
                Json.MAPPER.createObjectNode().put("seed", 7), Map.of(), true));
        assertTrue(e.getMessage().contains("seed (42 -> 7)"), e.getMessage());
        Path other = tmp.resolve("other");
        Files.createDirectories(other);
        Files.writeString(other.resolve("notes.txt"), "mine");
        e = assertThrows(T2lException.class, () -> folder(other, false));
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
    }

    @Test
    void nanLossStopsWithClearMessageAndKeepsLastGoodCheckpoint() {
        PreparedTask task = Toy.task("abab", 'a', 40, 3);
        try (TinyLm lm = Toy.lm(DataType.FLOAT32)) {
            int[] calls = {0};
            TrainableLm poisoned = new Delegating(lm) {
                @Override
                public NDArray logits(NDArray ids, GeneratedLora lora, NDArray noise) {
                    NDArray l = lm.logits(ids, lora, noise);
                    return ++calls[0] > 10 ? l.mul(Float.NaN) : l; // 2 base-validation calls, then steps 1..8
                }
            };
            Path dir = tmp.resolve("nan");
            T2lException e = assertThrows(T2lException.class, () -> OracleLoraTrainer.train(poisoned, task,
                    Toy.oracle(20, 4), 0, folder(dir, false), TrainListener.NONE));
            assertTrue(e.getMessage().contains("step 9: loss is NaN") && e.getMessage().contains("last good checkpoint"),
                    e.getMessage());
            var ck = folder(dir, true).latestCheckpoint().orElseThrow();
            assertEquals(8, ck.step());
            ck.params().values().forEach(t -> {
                for (float v : t.data()) {
                    assertTrue(Float.isFinite(v));
                }
            });
        }
    }

    /** Forwards everything to another model; tests override one method. */
    static class Delegating implements TrainableLm {
        final TrainableLm d;

        Delegating(TrainableLm d) {
            this.d = d;
        }

        public int numLayers() {
            return d.numLayers();
        }

        public int hiddenSize() {
            return d.hiddenSize();
        }

        public int vocabSize() {
            return d.vocabSize();
        }

        public int[] moduleDims(String m) {
            return d.moduleDims(m);
        }

        public DataType dataType() {
            return d.dataType();
        }

        public NDArray logits(NDArray ids, GeneratedLora lora, NDArray noise) {
            return d.logits(ids, lora, noise);
        }

        public ParamSet weights() {
            return d.weights();
        }
    }
}
