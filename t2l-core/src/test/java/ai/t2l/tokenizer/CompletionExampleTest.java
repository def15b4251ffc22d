package ai.t2l.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.Shared;
import ai.t2l.io.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CompletionExampleTest {
    static Tokenizer llama;

    @BeforeAll
    static void open() {
        llama = Tokenizer.open(TokenizerFiles.folder(TokenizerFiles.LLAMA3_1));
    }

    @AfterAll
    static void close() {
        llama.close();
    }

    private static JsonNode fixture(String model) {
        return Json.read(Shared.golden("chat", "training_example_" + model + ".json"));
    }

    /** A builder set up from the fixture's task metadata (system message, assistant prefill). */
    private static CompletionExample.Builder builder(JsonNode f, String format) {
        JsonNode meta = f.get("metadata");
        return CompletionExample.builder().setFormat(ChatFormat.byName(format))
                .optSystemMessage(meta.get("system_message").asText())
                .optAssistantPrefill(meta.get("assistant_prefill").asText());
    }

    private static String user(JsonNode f) {
        // the template's only field is {question}; formatting task templates is the task reader's job
        return f.get("metadata").get("user_prompt_template").asText()
                .replace("{question}", f.get("source").get("question").asText());
    }

    private static String response(JsonNode f) {
        return f.get("source").get(f.get("metadata").get("response_field").asText()).asText();
    }

    @ParameterizedTest
    @CsvSource({"mistral,mistral", "llama3_1,llama3", "gemma2,gemma2"})
    void promptAndResponseStringsMatchTheReference(String model, String format) {
        JsonNode f = fixture(model);
        CompletionExample.Builder b = builder(f, format);
        assertEquals(f.get("prompt").asText(), b.renderPrompt(user(f)), model + " prompt");
        assertEquals(f.get("response").asText(), b.renderResponse(response(f)), model + " response");
        // and the fixture's own chats render to the same strings
        ChatFormat cf = ChatFormat.byName(format);
        assertEquals(f.get("prompt").asText(),
                cf.render(ChatMessage.parseList(f.get("prompt_chat"), model), false));
        assertEquals(f.get("response").asText(),
                cf.render(ChatMessage.parseList(f.get("response_chat"), model), false));
    }

    @Test
    void llamaIdsLabelsAndMasksMatchTheReference() {
        JsonNode f = fixture("llama3_1");
        JsonNode t = f.get("tokenization");
        CompletionExample ex = builder(f, "llama3").setTokenizer(llama).build(user(f), response(f));
        assertArrayEquals(TokenizerTest.ints(t.get("prompt_token_ids")), ex.promptIds());
        assertArrayEquals(TokenizerTest.ints(t.get("response_token_ids")), ex.responseIds());
        assertArrayEquals(TokenizerTest.ints(t.get("input_ids")), ex.inputIds());
        assertArrayEquals(TokenizerTest.ints(t.get("labels")), ex.labels());
        assertArrayEquals(TokenizerTest.ints(t.get("sequence_ids")), ex.sequenceIds());
        int[] ones = new int[ex.length()];
        Arrays.fill(ones, 1); // no padding in a single example
        assertArrayEquals(TokenizerTest.ints(t.get("attention_mask")), ones);
        assertEquals(0, ex.truncatedTokens());
        assertFalse(ex.truncated());
    }

    @Test
    void leftTruncationLongestFirstOnTheLlamaExample() {
        JsonNode f = fixture("llama3_1");
        int[] p = TokenizerTest.ints(f.get("tokenization").get("prompt_token_ids")); // 74 tokens
        int[] r = TokenizerTest.ints(f.get("tokenization").get("response_token_ids")); // 92 tokens
        assertEquals(74, p.length);
        assertEquals(92, r.length);
        CompletionExample.Builder b = builder(f, "llama3").setTokenizer(llama);
        // 160: the shorter prompt (74) leaves 86 >= 74 for the response, so only the response is cut, from the left
        CompletionExample ex = b.optMaxLength(160).build(user(f), response(f));
        assertArrayEquals(p, ex.promptIds());
        assertArrayEquals(Arrays.copyOfRange(r, 6, 92), ex.responseIds());
        assertEquals(6, ex.truncatedTokens());
        assertTrue(ex.truncated());
        // 101: both are longer than half; the prompt (shorter) gets 50, the response 51
        ex = b.optMaxLength(101).build(user(f), response(f));
        assertArrayEquals(Arrays.copyOfRange(p, 24, 74), ex.promptIds());
        assertArrayEquals(Arrays.copyOfRange(r, 41, 92), ex.responseIds());
        assertEquals(65, ex.truncatedTokens());
        assertEquals(50, Arrays.stream(ex.labels()).filter(l -> l == CompletionExample.IGNORE_INDEX).count());
    }

    @Test
    void pairTruncationFollowsHuggingFaceTokenizers() {
        // {first, second, expected first, expected second} at max_length 7: the table of
        // truncate_encodings_longest_first in huggingface/tokenizers tokenizers/src/utils/truncation.rs
        int[][] table = {
            {0, 0, 0, 0}, {0, 2, 0, 2}, {0, 4, 0, 4}, {0, 8, 0, 7},
            {2, 0, 2, 0}, {2, 2, 2, 2}, {2, 4, 2, 4}, {2, 8, 2, 5},
            {4, 0, 4, 0}, {4, 2, 4, 2}, {4, 4, 3, 4}, {4, 8, 3, 4},
            {8, 0, 7, 0}, {8, 2, 5, 2}, {8, 4, 4, 3}, {8, 8, 3, 4},
        };
        for (int[] row : table) {
            assertArrayEquals(new int[] {row[2], row[3]}, PairTruncation.lengths(row[0], row[1], 7),
                    "lengths " + row[0] + ", " + row[1]);
        }
    }
}
