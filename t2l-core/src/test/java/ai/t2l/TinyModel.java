package ai.t2l;

import ai.t2l.miniature.MiniTokenizer;
import ai.t2l.model.RandomModelFolder;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;

/**
 * A tiny random Llama model folder with the miniature's character tokenizer (and so the "mini" chat format). The
 * weights are wide (std 0.5) so that logits are well apart: greedy choices do not hinge on float rounding.
 */
public final class TinyModel {
    public static final int HIDDEN = 32;

    private TinyModel() {}

    public static ObjectNode config() {
        return RandomModelFolder.llamaConfig(MiniTokenizer.vocabSize(), HIDDEN, 2, 4, 2, 64)
                .put("bos_token_id", MiniTokenizer.id(MiniTokenizer.BOS))
                .put("eos_token_id", MiniTokenizer.id(MiniTokenizer.EOS))
                .put("pad_token_id", MiniTokenizer.id(MiniTokenizer.PAD));
    }

    public static Path write(Path dir, long seed) {
        RandomModelFolder.write(dir, config(), seed, 0.5);
        MiniTokenizer.write(dir);
        return dir;
    }
}
