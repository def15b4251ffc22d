package ai.t2l.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.t2l.io.Json;
import ai.t2l.train.data.PreparedTask;
import ai.t2l.train.run.RunFolder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Validation and early stopping as the reference does them (issue 12 items 1 and 2; hm/sft_trainer.py
 * {@code validate}, {@code EarlyStopper}, and the step-0 {@code stopper.early_stop(val_info["val/seen"])}).
 */
class TrainReferenceValidationTest {
    @TempDir
    Path tmp;

    private static OracleLoraTrainer.Config oracle(double lr, double labelSmoothing, long steps, int valEvery,
            int patience) {
        return new OracleLoraTrainer.Config(Toy.lora(0.05), Toy.optim(lr), 8, 1, steps, labelSmoothing, 5, valEvery,
                patience, 100, 42, "tiny");
    }

    private static RunFolder folder(Path dir) {
        return RunFolder.open(dir, "lora", Json.MAPPER.createObjectNode(), Map.of(), false);
    }

    @Test
    void oracleValidatesWithoutLabelSmoothing() {
        PreparedTask task = Toy.task("abab", 'a', 40, 5);
        try (TinyLm lm = Toy.lm(DataType.FLOAT32)) {
            double smoothed = OracleLoraTrainer.train(lm, task, oracle(1e-2, 0.1, 2, 10, 3), 0,
                    folder(tmp.resolve("ls")), TrainListener.NONE).baseValLoss();
            double plain = OracleLoraTrainer.train(lm, task, oracle(1e-2, 0.0, 2, 10, 3), 0,
                    folder(tmp.resolve("plain")), TrainListener.NONE).baseValLoss();
            assertEquals(plain, smoothed, 0.0, "base validation loss must not depend on the training label smoothing");
        }
    }

    @Test
    void sftValidatesWithoutLabelSmoothing() {
        List<PreparedTask> tasks = TrainSftTest.tasks();
        double[] val = new double[2];
        double[] smoothing = {0.1, 0.0};
        for (int i = 0; i < 2; i++) {
            try (TinyLm lm = Toy.lm(DataType.FLOAT32); NDManager m = NDManager.newBaseManager();
                    TinyHyper hyper = new TinyHyper(m, Toy.lora(0.05), lm, 8, 16, 3)) {
                // lr 0: the weights never move, so only the loss definition can differ between the two runs
                var c = new SftTrainer.Config(Toy.optim(0), 2, 2, 1, 1, smoothing[i], 5, 0, 1, 10, 42);
                val[i] = SftTrainer.train(lm, hyper, tasks, Toy.embeddings(tasks.size(), 1), c, 0,
                        folder(tmp.resolve("sft" + i)), TrainListener.NONE).valLoss();
            }
        }
        assertFalse(Double.isNaN(val[0]));
        assertEquals(val[1], val[0], 0.0, "SFT validation loss must not depend on the training label smoothing");
    }

    @Test
    void stopperStartsFromTheBaseModelAndTiesAreNotBad() {
        PreparedTask task = Toy.task("abab", 'a', 40, 6);
        try (TinyLm lm = Toy.lm(DataType.FLOAT32)) {
            // lr 0: every validation equals the base model's. The reference's stopper (seeded with the base)
            // sees only ties: never an improvement, never a bad validation, so the run goes to the end and the
            // best is the base model (step 0).
            OracleLoraTrainer.Result r = OracleLoraTrainer.train(lm, task, oracle(0, 0.1, 6, 1, 2), 0,
                    folder(tmp.resolve("ties")), TrainListener.NONE);
            assertEquals(6, r.steps(), "ties with the base model must not stop the run early");
            assertEquals(0, r.bestStep(), "no checkpoint beat the base model");
            assertEquals(r.baseValLoss(), r.bestValLoss(), 0.0);
            r.adapter().pairs().forEach((site, p) -> {
                for (float v : p.b().data()) {
                    assertEquals(0f, v, 0f, "B of " + site + " must be the initial zeros (the base model)");
                }
            });
        }
    }

    @Test
    void earlyStopperFollowsTheReferenceRule() {
        EarlyStopper s = new EarlyStopper(2, 0);
        assertTrue(s.observe(1.0));
        assertFalse(s.observe(1.0)); // tie: nothing changes
        assertEquals(0, s.badValidations());
        assertFalse(s.observe(1.5));
        assertEquals(1, s.badValidations());
        assertTrue(s.observe(0.5)); // improvement resets the count
        assertEquals(0, s.badValidations());
        s.observe(0.7);
        assertFalse(s.shouldStop());
        s.observe(0.6);
        assertTrue(s.shouldStop());
        assertEquals(0.5, s.best(), 0.0);
    }
}
