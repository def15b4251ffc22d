package ai.t2l.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Hugging Face {@code tokenizer.json} (the Rust tokenizers, through DJL), with truncation and padding off: DJL
 * silently truncates at 512 tokens otherwise. Decoding does no "clean-up of tokenization spaces": the text is what
 * the tokenizer's decoder produces, as in vLLM's detokenizer that produced the reference's evaluation outputs.
 */
public final class Tokenizer implements AutoCloseable {
    // DJL option names (HuggingFaceTokenizer's builder/options map).
    private static final Map<String, String> OPTIONS =
            Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "false");

    private final Path file;
    private final HuggingFaceTokenizer hf;
    private final Map<String, Integer> idsByToken;
    private final Map<String, Integer> addedTokens;
    private final Set<Integer> specialIds;
    private final int size;
    private final String bosToken;
    private final Integer bosId;
    private final String eosToken;
    private final List<Integer> eosIds;

    private Tokenizer(Path file, HuggingFaceTokenizer hf, Vocabulary vocab, SpecialTokens special) {
        this.file = file;
        this.hf = hf;
        this.idsByToken = vocab.idsByToken;
        this.addedTokens = vocab.addedTokens;
        this.specialIds = Collections.unmodifiableSet(vocab.specialIds);
        this.size = vocab.size;
        this.bosToken = special.bosToken;
        this.bosId = special.bosId;
        this.eosToken = special.eosToken;
        this.eosIds = List.copyOf(special.eosIds);
    }

    /**
     * Opens {@code path}: a model folder holding {@code tokenizer.json} (and optionally tokenizer_config.json and
     * config.json, which name bos/eos), or the tokenizer.json file itself.
     */
    public static Tokenizer open(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
        if (!Files.isRegularFile(file)) {
            throw new T2lException(file + ": no such file (a model folder needs tokenizer.json)");
        }
        Vocabulary vocab = Vocabulary.read(file);
        SpecialTokens special = SpecialTokens.read(file.getParent(), vocab);
        HuggingFaceTokenizer hf;
        try (InputStream in = Files.newInputStream(file)) {
            hf = HuggingFaceTokenizer.newInstance(in, OPTIONS);
        } catch (IOException e) {
            throw new T2lException(file + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // the Rust side reports a malformed file as a plain RuntimeException ("data did not match ...")
            throw new T2lException(file + ": not a valid Hugging Face tokenizer.json: " + e.getMessage(), e);
        }
        Tokenizer t = new Tokenizer(file, hf, vocab, special);
        t.checkAddedTokenIds();
        return t;
    }

    /**
     * The Rust library re-assigns the id of an added token that the model's vocabulary does not hold in the place
     * the file says (ids must continue the vocabulary); then our id lookup would disagree with encode. Real files
     * never do this, hand-made ones can: refuse them. (A token that does not encode to one id at all, e.g. through
     * normalisation flags, is left alone.)
     */
    private void checkAddedTokenIds() {
        for (Map.Entry<String, Integer> e : addedTokens.entrySet()) {
            int[] ids = encode(e.getKey(), false);
            if (ids.length == 1 && ids[0] != e.getValue()) {
                close();
                throw new T2lException(file + ": added token '" + e.getKey() + "' declares id " + e.getValue()
                        + " but the tokenizer gives it id " + ids[0]
                        + " (added-token ids must continue the model vocabulary)");
            }
        }
    }

    public Path file() {
        return file;
    }

    /** One past the largest id in the vocabulary or the added tokens. */
    public int size() {
        return size;
    }

    /**
     * Token ids of {@code text}. Special-token text inside it (e.g. {@code <|eot_id|>}) becomes the special token,
     * as HF does with split_special_tokens=False; {@code addSpecialTokens} runs the post-processor (e.g. Llama's
     * leading {@code <|begin_of_text|>}).
     */
    public int[] encode(String text, boolean addSpecialTokens) {
        return toInts(hf.encode(text, addSpecialTokens, false).getIds());
    }

    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= size) {
                // the Rust decoder silently drops unknown ids; a model/tokenizer mismatch should be loud
                throw new T2lException(file + ": token id " + ids[i] + " at position " + i
                        + " is outside the vocabulary [0, " + size + ")");
            }
            longs[i] = ids[i];
        }
        return hf.decode(longs, skipSpecialTokens);
    }

    /** The id of a token given by its exact vocabulary or added-token text (no normalisation, no splitting). */
    public OptionalInt tokenId(String token) {
        Integer id = idsByToken.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    public int requireTokenId(String token) {
        Integer id = idsByToken.get(token);
        if (id == null) {
            throw new T2lException(file + ": no token '" + token + "' in the vocabulary or added tokens");
        }
        return id;
    }

    /** Ids of the added tokens marked {@code "special": true}. */
    public Set<Integer> specialTokenIds() {
        return specialIds;
    }

    public boolean isSpecial(int id) {
        return specialIds.contains(id);
    }

    /** From tokenizer_config.json's bos_token, else config.json's bos_token_id; null when neither names one. */
    public String bosToken() {
        return bosToken;
    }

    public Integer bosId() {
        return bosId;
    }

    /** tokenizer_config.json's eos_token (null when absent). */
    public String eosToken() {
        return eosToken;
    }

    /** tokenizer_config.json's eos_token id, then config.json's eos_token_id(s), without repeats. */
    public List<Integer> eosIds() {
        return eosIds;
    }

    /** A detokenizer for streaming: feed ids one by one, get only complete text back. */
    public StreamingDecoder streamingDecoder(boolean skipSpecialTokens) {
        return new StreamingDecoder(this, skipSpecialTokens);
    }

    @Override
    public void close() {
        hf.close();
    }

    private static int[] toInts(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    /** The token→id map of tokenizer.json ({@code model.vocab} plus {@code added_tokens}), read with Jackson. */
    private record Vocabulary(Map<String, Integer> idsByToken, Map<String, Integer> addedTokens,
            Set<Integer> specialIds, int size) {
        static Vocabulary read(Path file) {
            JsonNode root = Json.read(file);
            JsonNode vocab = root.path("model").path("vocab");
            Map<String, Integer> ids = new HashMap<>();
            if (vocab.isObject()) { // BPE, WordPiece, WordLevel: {"piece": id}
                vocab.fields().forEachRemaining(e -> ids.put(e.getKey(), e.getValue().asInt()));
            } else if (vocab.isArray()) { // Unigram: [["piece", score], ...], id = position
                for (int i = 0; i < vocab.size(); i++) {
                    ids.put(vocab.get(i).path(0).asText(), i);
                }
            } else {
                throw new T2lException(file + ": field 'model.vocab' is missing or neither an object nor a list");
            }
            Set<Integer> special = new TreeSet<>();
            Map<String, Integer> added = new HashMap<>();
            for (JsonNode t : root.path("added_tokens")) {
                if (!t.path("id").isInt() || !t.path("content").isTextual()) {
                    throw new T2lException(file + ": an entry of 'added_tokens' lacks an integer 'id' or a text"
                            + " 'content': " + t);
                }
                ids.put(t.get("content").asText(), t.get("id").asInt());
                added.put(t.get("content").asText(), t.get("id").asInt());
                if (t.path("special").asBoolean(false)) {
                    special.add(t.get("id").asInt());
                }
            }
            int size = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
            return new Vocabulary(ids, added, special, size);
        }
    }

    /** bos/eos as named by tokenizer_config.json, then by config.json, in the folder beside tokenizer.json. */
    private static final class SpecialTokens {
        String bosToken;
        Integer bosId;
        String eosToken;
        final List<Integer> eosIds = new ArrayList<>();

        static SpecialTokens read(Path dir, Vocabulary vocab) {
            SpecialTokens s = new SpecialTokens();
            Path tc = dir == null ? null : dir.resolve("tokenizer_config.json");
            Set<Integer> eos = new LinkedHashSet<>();
            if (tc != null && Files.isRegularFile(tc)) {
                JsonNode j = Json.read(tc);
                s.bosToken = tokenText(j.get("bos_token"), tc, "bos_token");
                s.eosToken = tokenText(j.get("eos_token"), tc, "eos_token");
                if (s.bosToken != null) {
                    s.bosId = lookup(vocab, s.bosToken, tc, "bos_token");
                }
                if (s.eosToken != null) {
                    eos.add(lookup(vocab, s.eosToken, tc, "eos_token"));
                }
            }
            Path cfg = dir == null ? null : dir.resolve("config.json");
            if (cfg != null && Files.isRegularFile(cfg)) {
                JsonNode j = Json.read(cfg);
                if (s.bosId == null && j.path("bos_token_id").isInt()) {
                    s.bosId = j.get("bos_token_id").asInt();
                }
                JsonNode e = j.path("eos_token_id");
                if (e.isInt()) {
                    eos.add(e.asInt());
                } else if (e.isArray()) {
                    e.forEach(n -> eos.add(n.asInt()));
                }
            }
            s.eosIds.addAll(eos);
            return s;
        }

        // tokenizer_config.json writes a special token either as "text" or as an AddedToken {"content": "text", ...}
        private static String tokenText(JsonNode n, Path file, String field) {
            if (n == null || n.isNull()) {
                return null;
            }
            if (n.isTextual()) {
                return n.asText();
            }
            if (n.path("content").isTextual()) {
                return n.get("content").asText();
            }
            throw new T2lException(file + ": field '" + field + "' should be a string or {\"content\": ...}, found "
                    + n);
        }

        private static int lookup(Vocabulary vocab, String token, Path file, String field) {
            Integer id = vocab.idsByToken().get(token);
            if (id == null) {
                throw new T2lException(file + ": field '" + field + "' names '" + token
                        + "', which tokenizer.json does not contain");
            }
            return id;
        }
    }
}
