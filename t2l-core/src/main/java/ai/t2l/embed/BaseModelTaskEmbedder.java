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
 * A decoder LLM as description encoder (T2L-SPEC §3), with last-token pooling of {@code hidden_states[-1]} (the
 * final-norm output), then L2 normalisation × √hidden. Two uses in the reference (hm/hyper_modulator.py,
 * hm/utils/model_loading.py {@code get_emb_model_and_fns}, hm/utils/preprocessing.py):
 * <ul>
 *   <li>the base LLM itself when {@code emb_model} is empty: text through {@code add_full_stop};</li>
 *   <li>an "SFR" embedding model (Salesforce/SFR-Embedding-Mistral): text through {@code apply_sfr_template},
 *       {@code "Instruct: Retrieve semantically similar text.\nQuery: " + text}, which REPLACES add_full_stop (no
 *       strip, no full stop).</li>
 * </ul>
 * The tokenizer's own special tokens are added, as the reference's tokenizer call does. One description at a time,
 * so the last token is the last attended one and no padding side matters.
 */
public final class BaseModelTaskEmbedder implements TaskEmbedder {
    /** The reference tokenises descriptions with max_length=8192 and truncation (§3). */
    public static final int MAX_TOKENS = 8192;

    /** How a description becomes the encoder's text. */
    public enum Template {
        /** {@code add_full_stop} (the base-LLM fallback). */
        FULL_STOP,
        /** {@code apply_sfr_template} (from microsoft/unilm e5/utils.py, as the reference cites it). */
        SFR;

        public String apply(String description) {
            if (this == FULL_STOP) {
                return TaskText.prepare(description);
            }
            TaskText.prepare(description); // refuses an empty description, as everywhere else
            return SFR_PREFIX + description;
        }
    }

    public static final String SFR_PREFIX = "Instruct: Retrieve semantically similar text.\nQuery: ";

    private final Transformer model;
    private final Tokenizer tokenizer;
    private final boolean owned;
    private final Template template;

    /** Borrows a loaded model and its tokenizer (e.g. the one being adapted); closing this closes neither. */
    public BaseModelTaskEmbedder(Transformer model, Tokenizer tokenizer) {
        this(model, tokenizer, false, Template.FULL_STOP);
    }

    private BaseModelTaskEmbedder(Transformer model, Tokenizer tokenizer, boolean owned, Template template) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.owned = owned;
        this.template = template;
    }

    /**
     * An embedding-model folder such as SFR-Embedding-Mistral as downloaded from Hugging Face (a bare MistralModel:
     * no "model." key prefix, no lm_head, both accepted), with the SFR template when the folder's name or its
     * config.json {@code _name_or_path} contains "SFR" (the reference's test on the model name), else add_full_stop.
     */
    public static BaseModelTaskEmbedder openEncoder(Path dir) {
        Path n = dir.toAbsolutePath().normalize().getFileName();
        String nameOrPath = ai.t2l.io.Json.read(dir.resolve("config.json")).path("_name_or_path").asText("");
        Template t = (n != null && n.toString().contains("SFR")) || nameOrPath.contains("SFR") ? Template.SFR
                : Template.FULL_STOP;
        ai.t2l.model.ModelConfig config = ai.t2l.model.ModelConfig.read(dir);
        Tokenizer tok = Tokenizer.open(dir);
        try (ai.t2l.io.ModelWeights w = ai.t2l.io.ModelWeights.open(dir)) {
            ai.t2l.io.TensorSource src = BareModelWeights.isBare(w) ? new BareModelWeights(w) : w;
            return new BaseModelTaskEmbedder(Transformer.create(config, src), tok, true, t);
        } catch (RuntimeException e) {
            tok.close();
            throw e;
        }
    }

    public Template template() {
        return template;
    }

    /** Loads the model folder's weights and tokenizer for embedding only; owns them. */
    public static BaseModelTaskEmbedder open(Path modelDir) {
        Tokenizer tok = Tokenizer.open(modelDir);
        try {
            return new BaseModelTaskEmbedder(Transformer.load(modelDir, WeightPrecision.inferenceDefault()), tok, true,
                    Template.FULL_STOP);
        } catch (RuntimeException e) {
            tok.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return (template == Template.SFR ? "SFR embedder (" : "base model (") + model.config().family().modelType
                + ", last-token pooling)";
    }

    @Override
    public int dimension() {
        return model.config().hiddenSize();
    }

    @Override
    public TaskEmbedding embed(String description) {
        String text = template.apply(description);
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
