package ai.t2l.miniature.build;

import ai.t2l.miniature.Example;
import ai.t2l.tokenizer.ChatFormat;
import ai.t2l.tokenizer.CompletionExample;
import ai.t2l.tokenizer.Tokenizer;
import ai.t2l.train.data.TokenizedExample;
import java.util.ArrayList;
import java.util.List;

/**
 * Tokenised miniature examples, ready for the trainers of {@code ai.t2l.train}. Examples go through the same path
 * as a real model's (spec §7.4): the model folder's chat format, prompt and response rendered apart, labels −100 on
 * the prompt.
 */
public final class MiniData {
    private final CompletionExample.Builder builder;
    private final int padId;

    public MiniData(Tokenizer tokenizer, ChatFormat format) {
        this.builder = CompletionExample.builder().setFormat(format).setTokenizer(tokenizer);
        this.padId = tokenizer.requireTokenId("<pad>");
    }

    public int padId() {
        return padId;
    }

    public TokenizedExample encode(Example e) {
        CompletionExample c = builder.build(e.prompt(), e.response());
        return new TokenizedExample(c.inputIds(), c.labels());
    }

    public List<TokenizedExample> encode(List<Example> examples) {
        List<TokenizedExample> out = new ArrayList<>(examples.size());
        examples.forEach(e -> out.add(encode(e)));
        return out;
    }
}
