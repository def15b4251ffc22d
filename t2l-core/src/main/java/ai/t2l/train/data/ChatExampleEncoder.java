package ai.t2l.train.data;

import ai.t2l.model.ModelConfig;
import ai.t2l.tokenizer.ChatFormat;
import ai.t2l.tokenizer.CompletionExample;
import ai.t2l.tokenizer.Tokenizer;
import ai.t2l.train.run.InputHash;

/**
 * The real {@link ExampleEncoder}: a model's tokenizer and chat format through the chat package's
 * {@link CompletionExample} builder (spec §7.4: system + user turns without generation prompt, the assistant turn
 * rendered alone, add_special_tokens=False). Truncation is left to {@link DataPrep} so it can count and report it;
 * the assistant prefill/postfill are already inside the example's response (the task readers add them).
 */
public final class ChatExampleEncoder implements ExampleEncoder {
    private final Tokenizer tokenizer;
    private final ChatFormat format;
    private final String systemMessage;
    private final int padId;
    private final CompletionExample.Builder builder;

    public ChatExampleEncoder(Tokenizer tokenizer, ChatFormat format, String systemMessage, int padId) {
        this.tokenizer = tokenizer;
        this.format = format;
        this.systemMessage = systemMessage;
        this.padId = padId;
        this.builder = CompletionExample.builder().setFormat(format).setTokenizer(tokenizer)
                .optSystemMessage(systemMessage).optMaxLength(Integer.MAX_VALUE);
    }

    /**
     * The encoder of a model folder's tokenizer with its family's chat format and the reference's empty system
     * message; pad = config.json's pad_token_id, else the first eos (the reference's fallback, spec §7.4), else 0.
     */
    public static ChatExampleEncoder forModel(Tokenizer tokenizer, ModelConfig config) {
        Integer pad = config.padTokenId() != null ? config.padTokenId()
                : !tokenizer.eosIds().isEmpty() ? tokenizer.eosIds().get(0)
                : !config.eosTokenIds().isEmpty() ? config.eosTokenIds().get(0) : 0;
        return new ChatExampleEncoder(tokenizer, ChatFormat.forFamily(config.family()), "", pad);
    }

    @Override
    public String fingerprint() {
        return "chat/" + format.name() + "/" + InputHash.of(tokenizer.file()) + "/" + InputHash.ofString(systemMessage);
    }

    @Override
    public int[][] encodePair(TaskExample example) {
        CompletionExample ex = builder.build(example.prompt(), example.response());
        return new int[][] {ex.promptIds(), ex.responseIds()};
    }

    @Override
    public int padId() {
        return padId;
    }
}
