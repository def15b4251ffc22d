package ai.t2l.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.Json;
import ai.t2l.train.data.PreparedTask;
import ai.t2l.train.run.RunFolder;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SFT checkpoint selection as the reference's watcher does it (issue 12 item 4; spec §6.6): every validation point
 * (step 0 included) is scored, the best score's weights are the result, training stops after {@code patience}
 * checkpoints without improvement, every score is in the run folder, and a resumed run ends identically.
 */
class TrainSftSelectionTest {
    @TempDir
    Path tmp;

    /** Scores by step: best at step 4, then worse or equal (a tie is not an improvement). */
    static double score(long step) {
        return switch ((int) step) {
            case 0 -> 0.10;
            case 2 -> 0.30;
            case 4 -> 0.50;
            case 6 -> 0.50;
            default -> 0.20;
        };
    }

    static SftTrainer.Config config() {
        return new SftTrainer.Config(Toy.optim(1e-2), 2, 2, 1, 40, 0.1, 5, 1e-3, 2, 100, 42);
    }

    static RunFolder folder(Path dir, boolean resume) {
        return RunFolder.open(dir, "sft", Json.MAPPER.createObjectNode(), Map.of(), resume);
    }

    record Outcome(SftTrainer.Result result, Map<String, FloatTensor> weights, List<Long> scored) {}

    private Outcome run(Path dir, boolean resume, TrainListener listener) {
        List<PreparedTask> tasks = TrainSftTest.tasks();
        List<Long> scored = new ArrayList<>();
        try (TinyLm lm = Toy.lm(DataType.FLOAT32); NDManager m = NDManager.newBaseManager();
                TinyHyper hyper = new TinyHyper(m, Toy.lora(0.05), lm, 8, 16, 3)) {
            CheckpointSelection sel = new CheckpointSelection(step -> {
                scored.add(step);
                return score(step);
            }, 3);
            SftTrainer.Result r = SftTrainer.train(lm, hyper, tasks, Toy.embeddings(tasks.size(), 1), config(), 0,
                    folder(dir, resume), listener, sel);
            return new Outcome(r, hyper.params().toTensors(), scored);
        }
    }

    @Test
    void bestScoringCheckpointIsKeptAndTrainingStopsEarly() throws Exception {
        Path dir = tmp.resolve("run");
        Outcome o = run(dir, false, TrainListener.NONE);
        // scored at 0, 2, 4 (best), 6 (tie), 8, 10: three without improvement after step 4
        assertEquals(List.of(0L, 2L, 4L, 6L, 8L, 10L), o.scored());
        assertEquals(10, o.result().steps(), "early stop long before the 40 scheduled steps");
        assertTrue(o.result().stoppedEarly());
        assertEquals(4, o.result().bestStep());
        assertEquals(0.5, o.result().bestScore(), 0.0);
        RunFolder run = folder(dir, true);
        Map<String, FloatTensor> best = run.readBest();
        o.weights().forEach((k, t) -> assertArrayEquals(best.get(k).data(), t.data(), 0f,
                "the trainer's final weights are the best checkpoint's: " + k));
        JsonNode sel = Json.read(dir.resolve("selection.json"));
        assertEquals(4, sel.get("best_step").asLong());
        assertEquals(6, sel.get("checkpoints").size(), "every checkpoint's score is in the run folder");
        // the step-4 weights differ from the last ones: selection is not a no-op
        var last = run.latestCheckpoint().orElseThrow();
        assertEquals(10, last.step());
        boolean differ = false;
        for (var e : last.params().entrySet()) {
            differ |= !java.util.Arrays.equals(e.getValue().data(), best.get(e.getKey()).data());
        }
        assertTrue(differ, "step 10 and step 4 weights must differ");
    }

    @Test
    void killedAndResumedRunSelectsIdentically() {
        Outcome full = run(tmp.resolve("full"), false, TrainListener.NONE);
        Path dir = tmp.resolve("killed");
        TrainListener killer = new TrainListener() {
            @Override
            public void onStep(long step, long total, double loss, double lr, double tps) {
                if (step == 7) {
                    throw new IllegalStateException("killed");
                }
            }
        };
        assertThrows(IllegalStateException.class, () -> run(dir, false, killer));
        Outcome resumed = run(dir, true, TrainListener.NONE);
        assertEquals(full.result().steps(), resumed.result().steps());
        assertEquals(full.result().bestStep(), resumed.result().bestStep());
        full.weights().forEach((k, t) -> assertArrayEquals(t.data(), resumed.weights().get(k).data(), 0f, k));
        assertEquals(Json.read(tmp.resolve("full").resolve("selection.json")),
                Json.read(dir.resolve("selection.json")));
    }

    @Test
    void unseenAndBenchmarkValidationLossesAreLoggedAtEveryValidationPoint() {
        List<PreparedTask> tasks = TrainSftTest.tasks();
        // held-out tasks: all their examples validate, none trains
        List<PreparedTask> unseen = new ArrayList<>();
        for (PreparedTask p : List.of(Toy.task("u0", 'g', 8, 50), Toy.task("u1", 'h', 8, 51))) {
            List<ai.t2l.train.data.TokenizedExample> all = new ArrayList<>(p.train());
            all.addAll(p.validation());
            unseen.add(new PreparedTask(p.name(), p.descriptions(), List.of(), all, 0));
        }
        Path dir = tmp.resolve("extra");
        try (TinyLm lm = Toy.lm(DataType.FLOAT32); NDManager m = NDManager.newBaseManager();
                TinyHyper hyper = new TinyHyper(m, Toy.lora(0.05), lm, 8, 16, 3)) {
            var c = new SftTrainer.Config(Toy.optim(1e-2), 2, 2, 1, 4, 0.1, 5, 1e-3, 2, 100, 42);
            SftTrainer.train(lm, hyper, tasks, Toy.embeddings(tasks.size(), 1), c, 0, folder(dir, false),
                    TrainListener.NONE, null, List.of(
                            new SftTrainer.ValidationSet("unseen", unseen, Toy.embeddings(2, 9)),
                            new SftTrainer.ValidationSet("benchmark", List.of(unseen.get(0)), Toy.embeddings(1, 8))));
        }
        List<Long> unseenSteps = new ArrayList<>();
        List<Long> benchSteps = new ArrayList<>();
        List<Long> seenSteps = new ArrayList<>();
        for (JsonNode row : folder(dir, true).readMetrics()) {
            if (row.has("val_unseen_loss")) {
                unseenSteps.add(row.get("step").asLong());
                assertTrue(Double.isFinite(row.get("val_unseen_loss").asDouble()));
            }
            if (row.has("val_benchmark_loss")) {
                benchSteps.add(row.get("step").asLong());
            }
            if (row.has("val_loss")) {
                seenSteps.add(row.get("step").asLong());
            }
        }
        assertEquals(List.of(0L, 2L, 4L), unseenSteps, "step 0, every val_every steps and the end");
        assertEquals(List.of(0L, 2L, 4L), benchSteps);
        assertEquals(List.of(0L, 2L, 4L), seenSteps);
    }
}
