package ai.t2l.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.Shared;
import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerTest {
    static Tokenizer llama;
    static Tokenizer mistral;

    @BeforeAll
    static void open() {
        llama = Tokenizer.open(TokenizerFiles.folder(TokenizerFiles.LLAMA3_1));
        mistral = Tokenizer.open(TokenizerFiles.folder(TokenizerFiles.MISTRAL));
    }

    @AfterAll
    static void close() {
        llama.close();
        mistral.close();
    }

    static int[] ints(JsonNode list) {
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i).asInt();
        }
        return out;
    }

    private static void checkPlainSentences(Tokenizer tok, String fixture, int bos) {
        JsonNode sentences = Json.read(Shared.golden("chat", fixture)).get("plain_sentences");
        assertEquals(5, sentences.size(), fixture);
        for (JsonNode s : sentences) {
            String text = s.get("text").asText();
            int[] expected = ints(s.get("token_ids"));
            int[] ids = tok.encode(text, false);
            assertArrayEquals(expected, ids, fixture + ": " + text);
            assertEquals(text, tok.decode(ids, false), fixture + ": decode round trip of " + text);
            int[] withBos = tok.encode(text, true); // the fixture notes: the same list with bos in front
            assertEquals(expected.length + 1, withBos.length, text);
            assertEquals(bos, withBos[0], text);
        }
    }

    @Test
    void llamaPlainSentences() {
        checkPlainSentences(llama, "llama3_1_tokenization.json", 128000);
    }

    @Test
    void mistralPlainSentences() {
        checkPlainSentences(mistral, "mistral_plain_tokenization.json", 1);
    }

    @Test
    void moreThan512TokensAreNotTruncated() {
        String sentence = "The quick brown fox jumps over the lazy dog.";
        String text = String.join(" ", java.util.Collections.nCopies(200, sentence));
        for (Tokenizer tok : List.of(llama, mistral)) {
            int[] ids = tok.encode(text, false);
            assertTrue(ids.length > 1024, tok.file() + ": " + ids.length + " tokens");
            assertEquals(text, tok.decode(ids, false));
        }
    }

    @Test
    void specialTokensFromTokenizerConfig() {
        // ids from golden/chat/README.md ("Token ids") and the fixtures' notes on bos
        assertEquals(OptionalInt.of(128009), llama.tokenId("<|eot_id|>"));
        assertEquals(128006, llama.requireTokenId("<|start_header_id|>"));
        assertEquals("<|begin_of_text|>", llama.bosToken());
        assertEquals(128000, llama.bosId());
        assertEquals("<|eot_id|>", llama.eosToken());
        assertEquals(List.of(128009), llama.eosIds());
        assertTrue(llama.isSpecial(128001) && !llama.isSpecial(791));
        assertEquals(OptionalInt.of(272), mistral.tokenId("▁the"));
        assertEquals(1, mistral.bosId());
        assertEquals(List.of(2), mistral.eosIds());
        assertEquals(OptionalInt.empty(), llama.tokenId("<|no such token|>"));
        assertThrows(T2lException.class, () -> llama.requireTokenId("<|no such token|>"));
    }

    @Test
    void decodeSkipsSpecialTokensOnRequestAndRejectsUnknownIds() {
        int[] ids = llama.encode("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>", false);
        assertEquals(128000, ids[0]);
        assertEquals("user\n\nHi", llama.decode(ids, true));
        T2lException e = assertThrows(T2lException.class, () -> llama.decode(new int[] {5, 999999}, false));
        assertTrue(e.getMessage().contains("token id 999999 at position 1"), e.getMessage());
    }

    @Test
    void streamingDecoderEmitsOnlyCompleteTextAndAddsUpToTheWholeDecode() {
        String text = ChatGolden.cases("llama3_1", "llama3").filter(c -> c.toString().contains("e_tricky"))
                .findFirst().orElseThrow().json().get("rendered").asText();
        for (Tokenizer tok : List.of(llama, mistral)) {
            for (boolean skip : new boolean[] {false, true}) {
                int[] ids = tok.encode(text, false);
                StreamingDecoder d = tok.streamingDecoder(skip);
                StringBuilder out = new StringBuilder();
                for (int id : ids) {
                    String piece = d.push(id);
                    assertFalse(piece.contains("\uFFFD"), tok.file() + ": incomplete character emitted");
                    out.append(piece);
                }
                out.append(d.flush());
                assertEquals(tok.decode(ids, skip), out.toString(), tok.file() + " skipSpecial=" + skip);
            }
        }
    }

    @Test
    void missingOrMalformedTokenizerJsonIsAClearError(@TempDir Path dir) throws Exception {
        T2lException missing = assertThrows(T2lException.class, () -> Tokenizer.open(dir));
        assertEquals(dir.resolve("tokenizer.json") + ": no such file (a model folder needs tokenizer.json)",
                missing.getMessage());
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "{\"model\": {\"vocab\": ");
        assertTrue(assertThrows(T2lException.class, () -> Tokenizer.open(dir)).getMessage()
                .startsWith(file + ": not valid JSON"));
        Files.writeString(file, "{\"version\": \"1.0\"}");
        assertTrue(assertThrows(T2lException.class, () -> Tokenizer.open(file)).getMessage()
                .startsWith(file + ": field 'model.vocab' is missing"));
        Files.writeString(file, "{\"version\": \"1.0\", \"model\": {\"vocab\": {\"a\": 0}}}");
        assertTrue(assertThrows(T2lException.class, () -> Tokenizer.open(file)).getMessage()
                .startsWith(file + ": not a valid Hugging Face tokenizer.json"));
    }

    @Test
    void addedTokenIdsThatDoNotContinueTheVocabularyAreRefused(@TempDir Path dir) throws Exception {
        // the Rust library gives "<x>" id 1 (the next free id), not the declared 5
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "{\"version\": \"1.0\", \"added_tokens\": [{\"id\": 5, \"content\": \"<x>\","
                + " \"single_word\": false, \"lstrip\": false, \"rstrip\": false, \"normalized\": false,"
                + " \"special\": true}], \"pre_tokenizer\": {\"type\": \"Whitespace\"},"
                + " \"model\": {\"type\": \"WordLevel\", \"unk_token\": \"u\", \"vocab\": {\"u\": 0}}}");
        T2lException e = assertThrows(T2lException.class, () -> Tokenizer.open(file));
        assertEquals(file + ": added token '<x>' declares id 5 but the tokenizer gives it id 1 (added-token ids must"
                + " continue the model vocabulary)", e.getMessage());
    }
}
