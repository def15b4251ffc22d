package ai.t2l.miniature.build;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.t2l.model.ForwardInput;
import ai.t2l.model.Transformer;
import ai.t2l.train.Losses;
import ai.t2l.train.Rng;
import ai.t2l.train.data.Batch;
import java.util.ArrayList;
import java.util.List;

/**
 * Trains the base model as a generalist: every weight, through the runtime's own forward pass, on a mixture of all
 * training tasks with the bare word as the prompt and no description. It learns the input/output format and the
 * answers the tasks share, not which task is wanted: that is left to adapters.
 */
public final class BaseTraining {
    private BaseTraining() {}

    /** @return the loss of every step */
    public static List<Double> train(Transformer model, List<MiniData.TaskExamples> tasks, MiniSettings.Stage s,
            int padId, Rng rng, Progress progress) {
        List<Double> losses = new ArrayList<>();
        progress.start("base model", s.steps());
        try (NDManager m = model.manager().newSubManager();
                MiniOptimizer opt = new MiniOptimizer(new ArrayList<>(model.parameters().values()), s, m)) {
            for (int step = 0; step < s.steps(); step++) {
                int[] rows = new int[s.batch()]; // one example from a uniformly drawn task per row
                for (int i = 0; i < rows.length; i++) {
                    rows[i] = rng.nextInt(tasks.size());
                }
                Batch b = MiniData.sample(tasks, rows, 1, rng, padId);
                double loss = opt.step(m, rng, (scope, k) -> lmLoss(model, scope, b, null));
                losses.add(loss);
                progress.step(step + 1, String.format("loss %.3f", loss));
            }
        } finally {
            model.parameters().values().forEach(w -> w.setRequiresGradient(false));
        }
        progress.end(String.format("final loss %.3f", losses.get(losses.size() - 1)));
        return losses;
    }

    /** Token-mean next-token cross-entropy of a batch, optionally with adapters (no label smoothing). */
    static NDArray lmLoss(Transformer model, NDManager scope, Batch b, ai.t2l.lora.LoraBatch lora) {
        NDArray logits = model.forward(scope, ForwardInput.of(b.ids()).withLora(lora)).logits();
        return Losses.crossEntropy(logits, b.labelsArray(scope), 0.0, Losses.Reduction.TOKEN_MEAN);
    }
}
