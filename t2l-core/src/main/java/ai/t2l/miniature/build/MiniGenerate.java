package ai.t2l.miniature.build;

import ai.t2l.generate.Generation;
import ai.t2l.generate.GenerationConfig;
import ai.t2l.generate.Generator;
import ai.t2l.lora.LoraWeights;
import ai.t2l.model.Transformer;
import ai.t2l.tokenizer.ChatFormat;
import ai.t2l.tokenizer.ChatMessage;
import ai.t2l.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Greedy answers of the miniature model through the runtime's generation loop: user texts rendered with the model's
 * chat format, one adapter per prompt (null: the base model), stopping at the model's eos ids.
 */
public final class MiniGenerate {
    /** Longest miniature answer is 31 characters; room for the end marker and a little rambling. */
    public static final int MAX_NEW_TOKENS = 40;
    private static final int CHUNK = 128;

    private MiniGenerate() {}

    public static List<String> answers(Transformer model, Tokenizer tok, ChatFormat format, List<String> userTexts,
            List<LoraWeights> adapters) {
        GenerationConfig cfg = GenerationConfig.greedy(MAX_NEW_TOKENS).withEos(model.config().eosTokenIds());
        List<String> out = new ArrayList<>(userTexts.size());
        try (Generator gen = new Generator(model)) {
            for (int from = 0; from < userTexts.size(); from += CHUNK) {
                int to = Math.min(userTexts.size(), from + CHUNK);
                List<int[]> prompts = new ArrayList<>();
                for (String u : userTexts.subList(from, to)) {
                    prompts.add(tok.encode(format.render(List.of(ChatMessage.user(u)), true), false));
                }
                List<Generation> g = gen.generateWithAdapters(prompts, adapters.subList(from, to), cfg, (row, token) -> {});
                for (Generation x : g) {
                    out.add(tok.decode(x.tokens(), true));
                }
            }
        }
        return out;
    }
}
