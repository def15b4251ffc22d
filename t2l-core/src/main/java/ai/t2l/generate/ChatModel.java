package ai.t2l.generate;

import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraBatch;
import ai.t2l.compute.WeightPrecision;
import ai.t2l.model.Transformer;
import ai.t2l.tokenizer.ChatFormat;
import ai.t2l.tokenizer.ChatMessage;
import ai.t2l.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A base model with its tokenizer and chat format: renders prompts, knows where a turn ends, and turns generated ids
 * back into text. Evaluation, {@code t2l run} and the server build on it. Not thread-safe (one KV cache per call).
 */
public final class ChatModel implements AutoCloseable {
    /** vLLM's detokenizer decodes each new token with up to 5 tokens before it (INITIAL_INCREMENTAL_DETOKENIZATION_OFFSET). */
    private static final int DECODE_CONTEXT = 5;

    private final Transformer model;
    private final Tokenizer tokenizer;
    private final ChatFormat format;
    private final boolean owned;
    private final Set<Integer> stopIds;

    /** Borrows the three parts; closing this closes none of them. */
    public ChatModel(Transformer model, Tokenizer tokenizer, ChatFormat format) {
        this(model, tokenizer, format, false);
    }

    /** Takes ownership of the model and tokenizer: closing this closes both. */
    public static ChatModel owning(Transformer model, Tokenizer tokenizer, ChatFormat format) {
        return new ChatModel(model, tokenizer, format, true);
    }

    private ChatModel(Transformer model, Tokenizer tokenizer, ChatFormat format, boolean owned) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.format = format;
        this.owned = owned;
        this.stopIds = stopIds(model, tokenizer, format);
        if (tokenizer.size() > model.config().vocabSize()) {
            // a tokenizer that can emit ids the model has no embedding for would fail mid-generation
            throw new T2lException(tokenizer.file() + ": the tokenizer has " + tokenizer.size()
                    + " ids but the model's vocab_size is " + model.config().vocabSize());
        }
    }

    /** Loads a model folder: weights, tokenizer.json and the chat format ({@link ChatFormat#forModel}). */
    public static ChatModel open(Path modelDir) {
        ChatFormat format = ChatFormat.forModel(modelDir); // also validates config.json before the weights load
        Tokenizer tokenizer = Tokenizer.open(modelDir);
        try {
            Transformer model = Transformer.load(modelDir, WeightPrecision.inferenceDefault());
            try {
                return new ChatModel(model, tokenizer, format, true);
            } catch (RuntimeException e) {
                model.close();
                throw e;
            }
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /** Ends a row: the tokenizer's and config's eos ids, and the format's end-of-turn token when it is one token. */
    private static Set<Integer> stopIds(Transformer model, Tokenizer tokenizer, ChatFormat format) {
        Set<Integer> ids = new LinkedHashSet<>(tokenizer.eosIds());
        if (model.config().eosTokenIds() != null) {
            ids.addAll(model.config().eosTokenIds());
        }
        tokenizer.tokenId(format.endOfTurn()).ifPresent(ids::add);
        return Set.copyOf(ids);
    }

    public Transformer model() {
        return model;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public ChatFormat format() {
        return format;
    }

    public Set<Integer> stopIds() {
        return stopIds;
    }

    /** Spec §8.1: {@code chat_template([system '', user], add_generation_prompt=True) + prefill}. */
    public String renderEvalPrompt(String user, String prefill) {
        return format.renderAsTrained(List.of(ChatMessage.user(user)), true) + prefill;
    }

    /**
     * Token ids of a rendered chat prompt. The template writes bos itself, so nothing is added: one bos, as in
     * training (spec §7.4). vLLM probably added a second one in the reference's evaluation (§8.1, inferred); we do not
     * copy that guess.
     */
    public int[] encodeRendered(String rendered) {
        return tokenizer.encode(rendered, false);
    }

    /** Token ids of plain text (no chat format): the tokenizer's post-processor adds what it adds (e.g. bos). */
    public int[] encodePlain(String text) {
        return tokenizer.encode(text, true);
    }

    /** Greedy decoding that stops at this model's end of turn. */
    public GenerationConfig greedy(int maxNewTokens) {
        return GenerationConfig.greedy(maxNewTokens).withEos(stopIds);
    }

    /** Generates for a batch (left padding inside the generator) and returns each row's new text. */
    public List<String> generateText(List<int[]> prompts, LoraBatch lora, GenerationConfig cfg) {
        try (Generator g = new Generator(model)) {
            List<Generation> gens = g.generate(prompts, lora, cfg, TokenListener.NONE);
            List<String> out = new ArrayList<>(gens.size());
            for (int i = 0; i < gens.size(); i++) {
                out.add(newText(prompts.get(i), gens.get(i)));
            }
            return out;
        }
    }

    /**
     * The text of a generation's new tokens: the stop token dropped, special tokens skipped (vLLM's default). Decoded
     * after a few prompt tokens and cut after their text, as vLLM does, so a SentencePiece word boundary at the start
     * keeps its space.
     */
    public String newText(int[] prompt, Generation g) {
        int[] gen = g.tokens();
        if (g.reason() == StopReason.EOS && gen.length > 0) {
            gen = Arrays.copyOf(gen, gen.length - 1);
        }
        int[] ctx = Arrays.copyOfRange(prompt, Math.max(0, prompt.length - DECODE_CONTEXT), prompt.length);
        int[] both = Arrays.copyOf(ctx, ctx.length + gen.length);
        System.arraycopy(gen, 0, both, ctx.length, gen.length);
        String before = tokenizer.decode(ctx, true);
        String all = tokenizer.decode(both, true);
        return all.startsWith(before) ? all.substring(before.length()) : tokenizer.decode(gen, true);
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
