package ai.t2l.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.Shared;
import ai.t2l.io.Json;
import ai.t2l.tokenizer.ChatFormat;
import ai.t2l.tokenizer.Tokenizer;
import ai.t2l.tokenizer.TokenizerFiles;
import ai.t2l.train.data.ChatExampleEncoder;
import ai.t2l.train.data.DataPrep;
import ai.t2l.train.data.JsonlTasks;
import ai.t2l.train.data.PreparedTask;
import ai.t2l.train.data.TaskData;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real tokenizer and chat format feeding DataPrep: the reference's own tokenisation of a Llama-3.1 training
 * example (fixtures/golden/chat/training_example_llama3_1.json, computed by the Python reference) must come out of
 * JSONL reader → ChatExampleEncoder → DataPrep unchanged.
 */
class TrainChatEncoderTest {
    @TempDir
    Path tmp;

    static int[] ints(JsonNode a) {
        return StreamSupport.stream(a.spliterator(), false).mapToInt(JsonNode::asInt).toArray();
    }

    @Test
    void llamaExampleThroughReaderEncoderAndPrepMatchesTheReference() throws Exception {
        JsonNode f = Json.read(Shared.golden("chat", "training_example_llama3_1.json"));
        JsonNode meta = f.get("metadata");
        JsonNode tok = f.get("tokenization");
        Path jsonl = tmp.resolve("gsm.jsonl");
        Files.writeString(jsonl, f.get("source").toString() + "\n");
        var format = new JsonlTasks.Format(meta.get("user_prompt_template").asText(),
                meta.get("response_field").asText(), meta.get("assistant_prefill").asText(), "");
        TaskData task = JsonlTasks.read(jsonl, "gsm8k", List.of("math word problems"), format);
        try (Tokenizer llama = Tokenizer.open(TokenizerFiles.folder(TokenizerFiles.LLAMA3_1))) {
            var encoder = new ChatExampleEncoder(llama, ChatFormat.byName("llama3"),
                    meta.get("system_message").asText(), 128009);
            int[][] pair = encoder.encodePair(task.examples().get(0));
            assertArrayEquals(ints(tok.get("prompt_token_ids")), pair[0], "prompt ids");
            assertArrayEquals(ints(tok.get("response_token_ids")), pair[1], "response ids (assistant header included)");

            PreparedTask p = DataPrep.prepare(task, encoder, new DataPrep.Settings(512, 0, tmp.resolve("cache")));
            assertEquals(1, p.train().size());
            assertArrayEquals(ints(tok.get("input_ids")), p.train().get(0).ids(), "input_ids");
            assertArrayEquals(ints(tok.get("labels")), p.train().get(0).labels(), "labels");
            assertEquals(0, p.truncated());

            // 74 prompt + 92 response tokens at max length 101: both above half, so 50 + 51 from the left
            // (the same cut CompletionExampleTest derives by hand), counted and reported
            List<String> report = new ArrayList<>();
            PreparedTask cut = DataPrep.prepare(List.of(task), encoder, new DataPrep.Settings(101, 0, null),
                    report::add).get(0);
            int[] labels = cut.train().get(0).labels();
            assertEquals(101, labels.length);
            assertEquals(50, Arrays.stream(labels).filter(l -> l == -100).count());
            int[] resp = ints(tok.get("response_token_ids"));
            assertArrayEquals(Arrays.copyOfRange(resp, 41, 92), Arrays.copyOfRange(labels, 50, 101));
            assertEquals(1, cut.truncated());
            assertTrue(report.get(0).contains("1 of 1 examples longer than max_length 101"), report.toString());

            // the fingerprint (part of the token-cache key) changes with the chat format
            assertNotEquals(encoder.fingerprint(),
                    new ChatExampleEncoder(llama, ChatFormat.byName("mistral"), "", 2).fingerprint());
        }
    }
}
