package ai.t2l.embed;

import ai.t2l.io.FloatTensor;
import ai.t2l.io.T2lException;
import ai.t2l.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The reference's description encoder from the folder users download from Hugging Face
 * (Alibaba-NLP/gte-large-en-v1.5: config.json, model.safetensors, tokenizer.json), no Python and no ONNX export:
 * {@code add_full_stop}, BERT tokenisation with [CLS] … [SEP], at most 8192 tokens (the reference's max_length),
 * the {@link NewModelEncoder} forward pass, CLS pooling ({@code last_hidden_state[:, 0]}), then L2 normalisation
 * × √hidden (T2L-SPEC §3; hm/utils/model_loading.py, pooling.py {@code cls_pool}).
 */
public final class GteTaskEmbedder implements TaskEmbedder {
    public static final int MAX_TOKENS = 8192;

    private final NewModelEncoder encoder;
    private final Tokenizer tokenizer;
    private final String name;

    private GteTaskEmbedder(NewModelEncoder encoder, Tokenizer tokenizer, String name) {
        this.encoder = encoder;
        this.tokenizer = tokenizer;
        this.name = name;
    }

    public static GteTaskEmbedder open(Path dir) {
        if (!Files.isRegularFile(dir.resolve("tokenizer.json"))) {
            throw new T2lException(dir + ": no tokenizer.json (a gte encoder folder holds config.json, "
                    + "model.safetensors and tokenizer.json)");
        }
        NewModelEncoder enc = NewModelEncoder.load(dir);
        try {
            Tokenizer tok = Tokenizer.open(dir);
            Path n = dir.toAbsolutePath().normalize().getFileName();
            return new GteTaskEmbedder(enc, tok, (n == null ? dir.toString() : n.toString()) + " (NewModel, CLS)");
        } catch (RuntimeException e) {
            enc.close();
            throw e;
        }
    }

    public NewModelEncoder encoder() {
        return encoder;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int dimension() {
        return encoder.config().hiddenSize();
    }

    /** Token ids as the reference's tokenizer call gives them: specials added, truncated to 8192. */
    public int[] tokens(String preparedText) {
        return truncate(tokenizer.encode(preparedText, true));
    }

    /**
     * HF truncation (max_length 8192) cuts the text before the specials are added, so [SEP] stays last: keep the
     * first 8191 ids and the final one.
     */
    static int[] truncate(int[] ids) {
        if (ids.length <= MAX_TOKENS) {
            return ids;
        }
        int[] out = Arrays.copyOf(ids, MAX_TOKENS);
        out[MAX_TOKENS - 1] = ids[ids.length - 1];
        return out;
    }

    /** {@code last_hidden_state} (1, seq, hidden) of one unpadded sequence. */
    public FloatTensor lastHiddenState(int[] ids) {
        int[] ones = new int[ids.length];
        Arrays.fill(ones, 1);
        List<FloatTensor> out = encoder.forward(new int[][] {ids}, new int[][] {ones}, false);
        return out.get(0);
    }

    @Override
    public TaskEmbedding embed(String description) {
        String text = TaskText.prepare(description);
        int[] all = tokenizer.encode(text, true);
        int[] ids = truncate(all);
        String notice = all.length > ids.length ? "the description has " + all.length + " tokens; the encoder reads at"
                + " most " + MAX_TOKENS + " (spec §3), so it was truncated" : null;
        float[] last = lastHiddenState(ids).data();
        return new TaskEmbedding(TaskText.normalize(Arrays.copyOf(last, dimension())), text, ids.length, notice);
    }

    @Override
    public void close() {
        try {
            encoder.close();
        } finally {
            tokenizer.close();
        }
    }
}
