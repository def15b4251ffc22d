package ai.t2l.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.t2l.train.data.Batch;
import ai.t2l.train.data.PreparedTask;
import ai.t2l.train.data.TokenizedExample;
import java.util.ArrayList;
import java.util.List;

/**
 * Validation loss: cross-entropy (with the training label smoothing, no NEFTune, no dropout) over every validation
 * example of the given tasks, token-weighted; description i mod n for example i (spec §6.3).
 */
final class Validation {
    private Validation() {}

    static double loss(NDManager parent, TrainableLm lm, LoraSource source, List<PreparedTask> tasks,
            List<float[][]> embeddings, double labelSmoothing, int batchSize, int padId) {
        double sum = 0;
        long tokens = 0;
        LmObjective objective = new LmObjective(labelSmoothing, 0, 0, Losses.Reduction.TOKEN_MEAN);
        for (int t = 0; t < tasks.size(); t++) {
            List<TokenizedExample> val = tasks.get(t).validation();
            int nDesc = tasks.get(t).descriptions().size();
            for (int start = 0; start < val.size(); start += batchSize) {
                List<TokenizedExample> rows = val.subList(start, Math.min(val.size(), start + batchSize));
                int[] taskIdx = new int[rows.size()];
                int[] descIdx = new int[rows.size()];
                for (int i = 0; i < rows.size(); i++) {
                    taskIdx[i] = t;
                    descIdx[i] = nDesc == 0 ? -1 : (start + i) % nDesc;
                }
                Batch b = Batch.collate(new ArrayList<>(rows), taskIdx, descIdx, padId);
                try (NDManager scope = source == null ? parent.newSubManager() : source.params().scope(parent)) {
                    NDArray emb = LmObjective.embeddingRows(scope, b, embeddings, lm.dataType());
                    NDArray ce = objective.loss(scope, lm, source, b, emb, false)[1];
                    long n = b.targetTokens();
                    sum += ce.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble() * n;
                    tokens += n;
                }
            }
        }
        return tokens == 0 ? Double.NaN : sum / tokens;
    }
}
