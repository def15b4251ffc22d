package ai.t2l.export;

import ai.t2l.io.GgufWriter;
import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import ai.t2l.model.ModelConfig;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code tokenizer.ggml.*} metadata llama.cpp needs (llama-vocab.cpp), from a model folder's tokenizer.json and
 * tokenizer_config.json. Two kinds are written as llama.cpp's byte-level BPE ("gpt2"), whose token strings spell
 * bytes with GPT-2's bytes_to_unicode table:
 * <ul>
 *   <li>a WordLevel vocabulary of single characters (the miniature's): each token re-spelled byte-level, no merges,
 *       so llama.cpp's BPE splits text into exactly those characters;</li>
 *   <li>a byte-level BPE (Llama 3, Qwen 2, GPT-2 style): tokens and merges copied.</li>
 * </ul>
 * SentencePiece-style tokenizers (Mistral, Llama 2, Gemma) are refused by name: use llama.cpp's convert_hf_to_gguf.py.
 */
final class GgufVocab {
    // llama.cpp's llama_token_type / gguf-py TokenType
    private static final int NORMAL = 1;
    private static final int UNKNOWN = 2;
    private static final int CONTROL = 3;
    private static final int USER_DEFINED = 4;
    private static final int UNUSED = 5;

    private GgufVocab() {}

    static void write(GgufWriter g, Path modelDir, ModelConfig c) {
        Path file = modelDir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new T2lException(modelDir + ": no tokenizer.json; a GGUF model needs its vocabulary");
        }
        JsonNode tok = Json.read(file);
        JsonNode model = tok.path("model");
        String type = model.path("type").asText("");
        int n = c.vocabSize();
        String[] tokens = new String[n];
        int[] types = new int[n];
        List<String> merges = new ArrayList<>();
        String pre;
        Map<String, Integer> vocab = new HashMap<>();
        model.path("vocab").fields().forEachRemaining(e -> vocab.put(e.getKey(), e.getValue().asInt()));
        boolean byteLevelDecoder = tok.path("decoder").path("type").asText("").equals("ByteLevel");
        if (type.equals("WordLevel")) {
            for (Map.Entry<String, Integer> e : vocab.entrySet()) {
                set(tokens, types, e.getValue(), byteLevel(e.getKey()), NORMAL, file);
            }
            pre = "default";
        } else if (type.equals("BPE") && byteLevelDecoder && !model.path("byte_fallback").asBoolean(false)) {
            for (Map.Entry<String, Integer> e : vocab.entrySet()) {
                set(tokens, types, e.getValue(), e.getKey(), NORMAL, file);
            }
            for (JsonNode m : model.path("merges")) {
                // tokenizers >= 0.20 may store a merge as a pair ["a", "b"]; llama.cpp wants "a b"
                merges.add(m.isArray() ? m.get(0).asText() + " " + m.get(1).asText() : m.asText());
            }
            pre = switch (c.family()) {
                case LLAMA -> c.vocabSize() >= 128000 ? "llama-bpe" : "default";
                case QWEN2 -> "qwen2";
                default -> "default";
            };
        } else {
            throw new T2lException(file + ": tokenizer model '" + type + "'"
                    + (model.path("byte_fallback").asBoolean(false) ? " with byte_fallback (SentencePiece)" : "")
                    + " is not written to GGUF by t2l (supported: WordLevel characters, byte-level BPE);"
                    + " convert this model with llama.cpp's convert_hf_to_gguf.py, then export only the adapter");
        }
        String unk = model.path("unk_token").asText(null);
        for (JsonNode a : tok.path("added_tokens")) {
            int id = a.path("id").asInt(-1);
            String content = a.path("content").asText();
            int t = content.equals(unk) ? UNKNOWN : a.path("special").asBoolean(false) ? CONTROL : USER_DEFINED;
            if (id >= 0 && id < n) {
                tokens[id] = content;
                types[id] = t;
            } else {
                throw new T2lException(file + ": added token '" + content + "' has id " + id
                        + ", outside the model's vocab_size " + n);
            }
        }
        for (int i = 0; i < n; i++) {
            if (tokens[i] == null) { // rows the embedding has but the tokenizer never emits (convert writes [PADi])
                tokens[i] = "[PAD" + i + "]";
                types[i] = UNUSED;
            }
        }
        g.putString("tokenizer.ggml.model", "gpt2");
        g.putString("tokenizer.ggml.pre", pre);
        g.putStrings("tokenizer.ggml.tokens", List.of(tokens));
        g.putI32s("tokenizer.ggml.token_type", types);
        g.putStrings("tokenizer.ggml.merges", merges);
        JsonNode tc = readConfig(modelDir);
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < n; i++) {
            ids.putIfAbsent(tokens[i], i);
        }
        Integer bos = special(tc, "bos_token", ids, c.bosTokenId());
        Integer eos = special(tc, "eos_token", ids, c.eosTokenIds().isEmpty() ? null : c.eosTokenIds().get(0));
        Integer pad = special(tc, "pad_token", ids, c.padTokenId());
        Integer unkId = unk == null ? null : ids.get(unk);
        if (bos != null) {
            g.putU32("tokenizer.ggml.bos_token_id", bos);
        }
        if (eos != null) {
            g.putU32("tokenizer.ggml.eos_token_id", eos);
        }
        // a chat model's end of turn (the miniature's <|end|>, Llama 3's <|eot_id|>) is a second eos in config.json
        for (int id : c.eosTokenIds()) {
            if (eos != null && id != eos) {
                g.putU32("tokenizer.ggml.eot_token_id", id);
                break;
            }
        }
        if (unkId != null) {
            g.putU32("tokenizer.ggml.unknown_token_id", unkId);
        }
        if (pad != null) {
            g.putU32("tokenizer.ggml.padding_token_id", pad);
        }
        g.putBool("tokenizer.ggml.add_bos_token", tc.path("add_bos_token").asBoolean(false));
        g.putBool("tokenizer.ggml.add_eos_token", tc.path("add_eos_token").asBoolean(false));
        if (tc.path("chat_template").isTextual()) {
            g.putString("tokenizer.chat_template", tc.get("chat_template").asText());
        }
    }

    private static JsonNode readConfig(Path modelDir) {
        Path f = modelDir.resolve("tokenizer_config.json");
        return Files.isRegularFile(f) ? Json.read(f) : Json.MAPPER.createObjectNode();
    }

    /** A special token named in tokenizer_config.json (a string or {content: ...}), else the config.json id. */
    private static Integer special(JsonNode tc, String field, Map<String, Integer> ids, Integer fallback) {
        JsonNode v = tc.get(field);
        String text = v == null || v.isNull() ? null : v.isTextual() ? v.asText() : v.path("content").asText(null);
        if (text != null && ids.containsKey(text)) {
            return ids.get(text);
        }
        return fallback;
    }

    private static void set(String[] tokens, int[] types, int id, String text, int type, Path file) {
        if (id < 0 || id >= tokens.length) {
            throw new T2lException(file + ": token '" + text + "' has id " + id + ", outside the model's vocab_size "
                    + tokens.length);
        }
        tokens[id] = text;
        types[id] = type;
    }

    /** GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for themselves, the others map to U+0100 upwards. */
    private static final char[] BYTE_TO_CHAR = new char[256];

    static {
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_TO_CHAR[b] = printable ? (char) b : (char) (256 + n++);
        }
    }

    static String byteLevel(String text) {
        StringBuilder sb = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            sb.append(BYTE_TO_CHAR[b & 0xFF]);
        }
        return sb.toString();
    }
}
