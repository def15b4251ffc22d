package ai.t2l.embed;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.t2l.model.ForwardInput;
import ai.t2l.compute.WeightPrecision;
import ai.t2l.model.Transformer;
import ai.t2l.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The base LLM as description encoder, the reference's fallback when {@code emb_model} is empty (T2L-SPEC §3):
 * {@code add_full_stop}, the tokenizer's own special tokens, last-token pooling of {@code hidden_states[-1]} (the
 * final-norm output), then L2 normalisation × √hidden. One description at a time, so the last token is the last
 * attended one and no padding side matters.
 */
public final class BaseModelTaskEmbedder implements TaskEmbedder {
    /** The reference tokenises descriptions with max_length=8192 and truncation (§3). */
    public static final int MAX_TOKENS = 8192;

    private final Transformer model;
    private final Tokenizer tokenizer;
    private final boolean owned;

    /** Borrows a loaded model and its tokenizer (e.g. the one being adapted); closing this closes neither. */
    public BaseModelTaskEmbedder(Transformer model, Tokenizer tokenizer) {
        this(model, tokenizer, false);
    }

    private BaseModelTaskEmbedder(Transformer model, Tokenizer tokenizer, boolean owned) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.owned = owned;
    }

    /** Loads the model folder's weights and tokenizer for embedding only; owns them. */
    public static BaseModelTaskEmbedder open(Path modelDir) {
        Tokenizer tok = Tokenizer.open(modelDir);
        try {
            return new BaseModelTaskEmbedder(Transformer.load(modelDir, WeightPrecision.inferenceDefault()), tok,
                    true);
        } catch (RuntimeException e) {
            tok.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return "base model (" + model.config().family().modelType + ", last-token pooling)";
    }

    @Override
    public int dimension() {
        return model.config().hiddenSize();
    }

    @Override
    public TaskEmbedding embed(String description) {
        String text = TaskText.prepare(description);
        int[] ids = tokenizer.encode(text, true);
        String notice = null;
        if (ids.length > MAX_TOKENS) {
            notice = "the description has " + ids.length + " tokens; the base model embeds at most " + MAX_TOKENS
                    + " (spec §3), so it was truncated to its first " + MAX_TOKENS + " tokens";
            ids = Arrays.copyOf(ids, MAX_TOKENS);
        }
        return new TaskEmbedding(TaskText.normalize(pooled(ids)), text, ids.length, notice);
    }

    /** {@code hidden_states[-1][0, -1]}: the final-norm hidden state of the last token, before normalisation. */
    public float[] pooled(int[] ids) {
        try (NDManager scope = model.manager().newSubManager()) {
            var out = model.forward(scope, ForwardInput.of(ids).withHiddenStates().withLastOnly());
            NDArray last = out.hiddenStates().get(out.hiddenStates().size() - 1); // (1, seq, hidden)
            return last.get("0, -1, :").toFloatArray();
        }
    }

    @Override
    public void close() {
        if (owned) {
            try {
                model.close();
            } finally {
                tokenizer.close();
            }
        }
    }
}
