package ai.t2l.model;

import ai.djl.ndarray.NDArray;
import ai.t2l.lora.LoraBatch;
import java.util.function.UnaryOperator;

/**
 * One forward call: token ids (batch, seq) and the optional parts, set by name.
 *
 * @param ids            (batch, seq) token ids, rows of equal length (pad them)
 * @param mask           (batch, seq) 1 for a real token, 0 for padding; null = all real. Positions come from it
 *                       (cumsum - 1, as HF generate), so left and right padding both give each row its own positions
 * @param cache          keys/values of earlier tokens; the new ones are appended (null: no cache)
 * @param lora           unmerged adapters, one per row or shared (null: none)
 * @param hiddenStates   also return HF's output_hidden_states (embeddings, each layer but the last, final norm)
 * @param lastOnly       logits of the last position only (generation)
 * @param embeddingHook  applied to the embedding table's output, before any family scale (Gemma 2's ×√hidden), where
 *                       HF's NEFTune forward hook on get_input_embeddings() sits; e.g. NEFTune noise (null: none)
 * @param logitRows      logits of these positions b·seq + t only, as (rows, vocab) (null: every position, (batch,
 *                       seq, vocab)); a loss that reads a few positions skips the LM head on the others
 */
public record ForwardInput(int[][] ids, int[][] mask, KvCache cache, LoraBatch lora, boolean hiddenStates,
        boolean lastOnly, UnaryOperator<NDArray> embeddingHook, int[] logitRows) {

    public static ForwardInput of(int[]... ids) {
        return new ForwardInput(ids, null, null, null, false, false, null, null);
    }

    public ForwardInput withMask(int[][] m) {
        return new ForwardInput(ids, m, cache, lora, hiddenStates, lastOnly, embeddingHook, logitRows);
    }

    public ForwardInput withCache(KvCache c) {
        return new ForwardInput(ids, mask, c, lora, hiddenStates, lastOnly, embeddingHook, logitRows);
    }

    public ForwardInput withLora(LoraBatch l) {
        return new ForwardInput(ids, mask, cache, l, hiddenStates, lastOnly, embeddingHook, logitRows);
    }

    public ForwardInput withHiddenStates() {
        return new ForwardInput(ids, mask, cache, lora, true, lastOnly, embeddingHook, logitRows);
    }

    public ForwardInput withLastOnly() {
        return new ForwardInput(ids, mask, cache, lora, hiddenStates, true, embeddingHook, logitRows);
    }

    public ForwardInput withEmbeddingHook(UnaryOperator<NDArray> hook) {
        return new ForwardInput(ids, mask, cache, lora, hiddenStates, lastOnly, hook, logitRows);
    }

    public ForwardInput withLogitRows(int[] rows) {
        return new ForwardInput(ids, mask, cache, lora, hiddenStates, lastOnly, embeddingHook, rows);
    }
}
