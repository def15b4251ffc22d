package ai.t2l.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.t2l.train.data.Batch;
import ai.t2l.train.data.DescriptionSource;
import ai.t2l.train.data.PreparedTask;
import ai.t2l.train.data.TokenizedExample;
import java.util.ArrayList;
import java.util.List;

/**
 * Validation loss as the reference computes it (hm/sft_trainer.py {@code validate}): cross-entropy WITHOUT label
 * smoothing ({@code _get_loss_batch}'s default {@code label_smoothing=0}; the training value applies only to the
 * training loss), no NEFTune, no dropout, reduced like the training loss ({@code equally_weight_sample}): token
 * mean for the oracle LoRA, per-sample mean for T2L and the multi-task LoRA. The reference averages the losses of
 * randomly drawn batches; we go through the examples in order and weight each batch by its tokens (token mean) or
 * rows (sample mean), which is the value that average estimates, without the noise. Description i mod n for
 * example i (spec §6.3).
 */
final class Validation {
    private Validation() {}

    static double loss(NDManager parent, TrainableLm lm, LoraSource source, List<PreparedTask> tasks,
            List<float[][]> embeddings, Losses.Reduction reduction, int batchSize, int padId) {
        return loss(parent, lm, source, tasks, embeddings, reduction, batchSize, padId, DescriptionSource.TASK);
    }

    /** With {@link DescriptionSource#INPUT}, validation example j uses its own row (train size + j). */
    static double loss(NDManager parent, TrainableLm lm, LoraSource source, List<PreparedTask> tasks,
            List<float[][]> embeddings, Losses.Reduction reduction, int batchSize, int padId, DescriptionSource rowsOf) {
        double sum = 0;
        long weight = 0;
        LmObjective objective = new LmObjective(0, 0, 0, reduction);
        for (int t = 0; t < tasks.size(); t++) {
            List<TokenizedExample> val = tasks.get(t).validation();
            int nDesc = tasks.get(t).descriptions().size();
            for (int start = 0; start < val.size(); start += batchSize) {
                List<TokenizedExample> rows = val.subList(start, Math.min(val.size(), start + batchSize));
                int[] taskIdx = new int[rows.size()];
                int[] descIdx = new int[rows.size()];
                for (int i = 0; i < rows.size(); i++) {
                    taskIdx[i] = t;
                    descIdx[i] = rowsOf.validationRow(start + i, tasks.get(t).train().size(), nDesc);
                }
                Batch b = Batch.collate(new ArrayList<>(rows), taskIdx, descIdx, padId);
                try (NDManager scope = source == null ? parent.newSubManager() : source.params().scope(parent)) {
                    NDArray emb = LmObjective.embeddingRows(scope, b, embeddings, lm.dataType());
                    NDArray ce = objective.loss(scope, lm, source, b, emb, false)[1];
                    long n = reduction == Losses.Reduction.TOKEN_MEAN ? b.targetTokens() : b.size();
                    sum += ce.toType(DataType.FLOAT64, false).getDouble() * n;
                    weight += n;
                }
            }
        }
        return weight == 0 ? Double.NaN : sum / weight;
    }
}
