package ai.t2l.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.hypernet.TrainingTask;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.Json;
import ai.t2l.io.SafetensorsFile;
import ai.t2l.lora.PeftAdapter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference's encoder from a plain Hugging Face folder (issue 12 item 11): {@code t2l embed} reproduces the
 * goldens of new-impl's modeling code, and {@code t2l generate --encoder DIR} uses the same embedding end to end.
 */
class GteEncoderCommandTest {
    @TempDir
    Path tmp;

    static Path golden(String... parts) {
        return Paths.get(System.getProperty("t2l.shared"), "fixtures", "golden", "gte_new").resolve(String.join("/", parts));
    }

    @Test
    void embedInputIdsMatchesTheGolden() throws Exception {
        JsonNode expected = Json.read(golden("tiny_b", "expected.json"));
        List<String> ids = new ArrayList<>();
        expected.get("inputs").get(1).get("input_ids").forEach(x -> ids.add(x.asText()));
        Path out = tmp.resolve("e.safetensors");
        TinyWorld.Run r = TinyWorld.run("embed", "--encoder", golden("tiny_b").toString(), "--input-ids",
                String.join(",", ids), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        try (SafetensorsFile got = SafetensorsFile.open(out);
                SafetensorsFile want = SafetensorsFile.open(golden("tiny_b", "golden.safetensors"))) {
            float[] last = got.read("last_hidden_state").data();
            float[] golden = want.read("last_hidden_state_1").data();
            assertEquals(golden.length, last.length);
            for (int i = 0; i < golden.length; i++) {
                assertEquals(golden[i], last[i], 1e-4, "last_hidden_state[" + i + "]");
            }
            int h = 96;
            float[] norm = got.read("normalized").data();
            float[] wantNorm = want.read("cls_normalized").data();
            for (int i = 0; i < h; i++) {
                assertEquals(wantNorm[h + i], norm[i], 1e-5, "normalized[" + i + "]");
            }
            assertEquals(List.of(1L, (long) h), boxed(got.read("pooled").shape()));
        }
    }

    @Test
    void generateWithAHuggingFaceEncoderFolderEndToEnd() throws Exception {
        Path enc = encoderFolder(tmp.resolve("gte-tiny"));
        Path model = TinyWorld.model(tmp.resolve("model"), 3);
        // recon init: the adapter depends on the description embedding (an SFT-initialised L would give B = 0)
        Path t2l = TinyWorld.t2l(tmp.resolve("t2l"), model, 64, TrainingTask.RECON, "Alibaba-NLP/gte-large-en-v1.5");
        String description = "Summarize the text";
        Path emb = tmp.resolve("emb.safetensors");
        TinyWorld.Run e = TinyWorld.run("embed", "--encoder", enc.toString(), "--text", description, "--out",
                emb.toString());
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("text: Summarize the text."), e.out()); // add_full_stop, as the reference
        Path viaEncoder = tmp.resolve("a1");
        TinyWorld.Run g = TinyWorld.run("generate", "--t2l", t2l.toString(), "--model", model.toString(), "--encoder",
                enc.toString(), "--description", description, "--out", viaEncoder.toString());
        assertEquals(0, g.code(), g.err());
        // the same adapter from the pooled vector written by t2l embed
        Path pooledJson = tmp.resolve("pooled.json");
        try (SafetensorsFile f = SafetensorsFile.open(emb)) {
            ArrayNode a = Json.MAPPER.createArrayNode();
            for (float v : f.read("pooled").data()) {
                a.add(v);
            }
            Files.writeString(pooledJson, a.toString());
        }
        Path viaPooled = tmp.resolve("a2");
        TinyWorld.Run p = TinyWorld.run("generate", "--t2l", t2l.toString(), "--model", model.toString(),
                "--task-embedding", pooledJson.toString(), "--out", viaPooled.toString());
        assertEquals(0, p.code(), p.err());
        try (SafetensorsFile a = SafetensorsFile.open(viaEncoder.resolve(PeftAdapter.WEIGHTS));
                SafetensorsFile b = SafetensorsFile.open(viaPooled.resolve(PeftAdapter.WEIGHTS))) {
            assertEquals(a.names(), b.names());
            for (String k : a.names()) {
                FloatTensor x = a.read(k);
                FloatTensor y = b.read(k);
                for (int i = 0; i < x.data().length; i++) {
                    assertEquals(x.data()[i], y.data()[i], 1e-5, k + "[" + i + "]");
                }
            }
        }
    }

    @Test
    void missingTokenizerIsAClearError() throws Exception {
        Path dir = tmp.resolve("no-tok");
        Files.createDirectories(dir);
        Files.copy(golden("tiny_a", "config.json"), dir.resolve("config.json"));
        Files.copy(golden("tiny_a", "model.safetensors"), dir.resolve("model.safetensors"));
        TinyWorld.Run r = TinyWorld.run("embed", "--encoder", dir.toString(), "--text", "hello", "--out",
                tmp.resolve("x.safetensors").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no tokenizer.json"), r.err());
        assertTrue(!Files.exists(tmp.resolve("x.safetensors")));
    }

    private static List<Long> boxed(long[] a) {
        List<Long> l = new ArrayList<>();
        for (long v : a) {
            l.add(v);
        }
        return l;
    }

    /** tiny_a's config and weights plus a small BERT WordPiece tokenizer.json ([CLS] 101, [SEP] 102, uncased). */
    static Path encoderFolder(Path dir) throws Exception {
        Files.createDirectories(dir);
        Files.copy(golden("tiny_a", "config.json"), dir.resolve("config.json"));
        Files.copy(golden("tiny_a", "model.safetensors"), dir.resolve("model.safetensors"));
        ObjectNode vocab = Json.MAPPER.createObjectNode();
        vocab.put("[PAD]", 0);
        for (int i = 1; i < 100; i++) {
            vocab.put("[unused" + i + "]", i);
        }
        vocab.put("[UNK]", 100).put("[CLS]", 101).put("[SEP]", 102).put("[MASK]", 103);
        int id = 104;
        for (String w : List.of("summarize", "the", "text", ".", "translate", "to", "french", "classify", "sentiment")) {
            vocab.put(w, id++);
        }
        for (char c = 'a'; c <= 'z'; c++) {
            vocab.put(String.valueOf(c), id++);
            vocab.put("##" + c, id++);
        }
        ObjectNode tok = Json.MAPPER.createObjectNode();
        tok.put("version", "1.0");
        tok.putNull("truncation");
        tok.putNull("padding");
        ArrayNode added = tok.putArray("added_tokens");
        for (String s : List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")) {
            added.addObject().put("id", vocab.get(s).asInt()).put("content", s).put("single_word", false)
                    .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
        }
        tok.putObject("normalizer").put("type", "BertNormalizer").put("clean_text", true)
                .put("handle_chinese_chars", true).putNull("strip_accents").put("lowercase", true);
        tok.putObject("pre_tokenizer").put("type", "BertPreTokenizer");
        ObjectNode post = tok.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", "[CLS]").put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        single.addObject().putObject("SpecialToken").put("id", "[SEP]").put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", "[CLS]").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("SpecialToken").put("id", "[SEP]").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        pair.addObject().putObject("SpecialToken").put("id", "[SEP]").put("type_id", 1);
        ObjectNode specials = post.putObject("special_tokens");
        for (String s : List.of("[CLS]", "[SEP]")) {
            ObjectNode o = specials.putObject(s);
            o.put("id", s);
            o.putArray("ids").add(vocab.get(s).asInt());
            o.putArray("tokens").add(s);
        }
        tok.putObject("decoder").put("type", "WordPiece").put("prefix", "##").put("cleanup", true);
        ObjectNode model = tok.putObject("model");
        model.put("type", "WordPiece").put("unk_token", "[UNK]").put("continuing_subword_prefix", "##")
                .put("max_input_chars_per_word", 100);
        model.set("vocab", vocab);
        Files.writeString(dir.resolve("tokenizer.json"), Json.write(tok));
        return dir;
    }
}
