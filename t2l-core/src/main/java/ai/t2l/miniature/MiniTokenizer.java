package ai.t2l.miniature;

import ai.t2l.io.AtomicFiles;
import ai.t2l.io.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The miniature's character-level tokenizer as a Hugging Face {@code tokenizer.json}: one token per printable ASCII
 * character and newline, plus special tokens. A WordLevel model behind a Split pre-tokenizer that isolates every
 * character (spaces included: no normaliser, no whitespace splitting), and a Fuse decoder so decoding concatenates
 * without the spaces WordLevel would otherwise insert. No post-processor: nothing is added on encode, the chat
 * format writes {@code <s>} itself.
 */
public final class MiniTokenizer {
    private MiniTokenizer() {}

    public static final String PAD = "<pad>";
    public static final String BOS = "<s>";
    public static final String EOS = "</s>";
    public static final String UNK = "<unk>";

    /** Special tokens in id order: ids 0..6. */
    public static final List<String> SPECIAL = List.of(PAD, BOS, EOS, UNK,
            MiniChatFormat.USER, MiniChatFormat.ASSISTANT, MiniChatFormat.END);

    /** Every token in id order: the specials, "\n", then ASCII 32..126. */
    public static List<String> vocabulary() {
        List<String> v = new ArrayList<>(SPECIAL);
        v.add("\n");
        for (char c = ' '; c <= '~'; c++) {
            v.add(String.valueOf(c));
        }
        return v;
    }

    public static int vocabSize() {
        return vocabulary().size();
    }

    public static int id(String token) {
        int i = vocabulary().indexOf(token);
        if (i < 0) {
            throw new IllegalArgumentException("not a miniature token: " + token);
        }
        return i;
    }

    /** Writes tokenizer.json and tokenizer_config.json into {@code dir} (created if needed), each atomically. */
    public static void write(Path dir) {
        AtomicFiles.writeString(dir.resolve("tokenizer.json"), tokenizerJson());
        AtomicFiles.writeString(dir.resolve("tokenizer_config.json"), tokenizerConfigJson());
    }

    static String tokenizerJson() {
        List<String> vocab = vocabulary();
        Map<String, Object> vocabMap = new LinkedHashMap<>();
        for (int i = 0; i < vocab.size(); i++) {
            vocabMap.put(vocab.get(i), i);
        }
        List<Map<String, Object>> added = new ArrayList<>();
        for (int i = 0; i < SPECIAL.size(); i++) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("id", i);
            t.put("content", SPECIAL.get(i));
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
            added.add(t);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", "1.0");
        root.put("truncation", null);
        root.put("padding", null);
        root.put("added_tokens", added);
        root.put("normalizer", null);
        // [\s\S] rather than "." so that newline is isolated too.
        root.put("pre_tokenizer", Map.of("type", "Split", "pattern", Map.of("Regex", "[\\s\\S]"),
                "behavior", "Isolated", "invert", false));
        root.put("post_processor", null);
        root.put("decoder", Map.of("type", "Fuse"));
        root.put("model", Map.of("type", "WordLevel", "vocab", vocabMap, "unk_token", UNK));
        return Json.write(root) + "\n";
    }

    static String tokenizerConfigJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("tokenizer_class", "PreTrainedTokenizerFast");
        root.put("bos_token", BOS);
        root.put("eos_token", EOS);
        root.put("pad_token", PAD);
        root.put("unk_token", UNK);
        root.put("add_bos_token", false);
        root.put("add_eos_token", false);
        root.put("clean_up_tokenization_spaces", false);
        root.put("model_max_length", 512);
        root.put("chat_template", MiniChatFormat.JINJA);
        root.put(ai.t2l.tokenizer.ChatFormat.CONFIG_FIELD, "mini"); // which ChatFormat the runtime uses
        return Json.write(root) + "\n";
    }
}
