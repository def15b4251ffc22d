package ai.t2l.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptCommandTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private static JsonNode golden(String file) throws Exception {
        Path shared = Paths.get(System.getProperty("t2l.shared", "../../shared"));
        return new ObjectMapper().readTree(shared.resolve("fixtures/golden/chat").resolve(file).toFile());
    }

    private Path messages(JsonNode fixture) throws Exception {
        Path f = dir.resolve("messages.json");
        Files.writeString(f, fixture.get("messages").toString());
        return f;
    }

    @Test
    void writesTheExactRenderedStringToOut() throws Exception {
        JsonNode c = golden("gemma2/e_tricky_user_text.json"); // non-ASCII, emoji, pretend special tokens
        assertTrue(c.get("add_generation_prompt").asBoolean());
        Path out = dir.resolve("sub/prompt.txt");
        Run r = run("prompt", "--format", "gemma2", "--messages", messages(c).toString(), "--add-generation-prompt",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(c.get("rendered").asText(), Files.readString(out, StandardCharsets.UTF_8));
        assertEquals("", r.out());
    }

    @Test
    void printsToStdoutWithTheGenerationPrompt() throws Exception {
        JsonNode c = golden("llama3_1/b_train_prompt_with_generation_prompt.json");
        Run r = run("prompt", "--format", "llama3", "--messages", messages(c).toString(), "--add-generation-prompt");
        assertEquals(0, r.code(), r.err());
        assertEquals(c.get("rendered").asText(), r.out());
    }

    @Test
    void templateErrorIsOneClearLine() throws Exception {
        JsonNode c = golden("mistral/h_system_not_first.json");
        Path m = messages(c);
        Path out = dir.resolve("never.txt");
        Run r = run("prompt", "--format", "mistral", "--messages", m.toString(), "--out", out.toString());
        assertEquals(1, r.code());
        assertEquals("error: " + m + ": mistral chat format: message 1 has role 'system': "
                + c.get("error").get("message").asText() + System.lineSeparator(), r.err());
        assertFalse(Files.exists(out), "nothing is written when rendering fails");
    }

    @Test
    void malformedMessagesFileNamesTheFileAndProblem() throws Exception {
        Path m = dir.resolve("bad.json");
        Files.writeString(m, "[{\"role\": \"user\"}]");
        Run r = run("prompt", "--format", "llama3", "--messages", m.toString());
        assertEquals(1, r.code());
        assertEquals("error: " + m + ": message 0: missing field 'content'" + System.lineSeparator(), r.err());
        Files.writeString(m, "[{\"role\": \"user\",");
        r = run("prompt", "--format", "llama3", "--messages", m.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: " + m + ": not valid JSON"), r.err());
    }

    @Test
    void idsNeedAModelAndFormatNamesAreChecked() throws Exception {
        Path m = messages(golden("llama3_1/f_no_system.json"));
        Run r = run("prompt", "--format", "llama3", "--messages", m.toString(), "--ids");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--ids needs --model DIR"), r.err());
        r = run("prompt", "--format", "llama2", "--messages", m.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("unknown chat format 'llama2'; known: mistral, llama3, gemma2, qwen2"), r.err());
        r = run("prompt", "--format", "llama3", "--model", dir.toString(), "--messages", m.toString());
        assertEquals(2, r.code(), "--model and --format are mutually exclusive (usage error)");
    }

    @Test
    void modelFolderChoosesTheFormatAndTokenizesWithIds() throws Exception {
        // config.json names the family (llama -> the Llama 3.1 format); a tiny word-level tokenizer.json whose
        // ids are easy to read: the real Llama ids are tested in t2l-core (ChatTokenIdsTest)
        Path model = dir.resolve("model");
        Files.createDirectories(model);
        Files.writeString(model.resolve("config.json"), "{\"model_type\": \"llama\", \"vocab_size\": 7,"
                + " \"hidden_size\": 64, \"intermediate_size\": 128, \"num_hidden_layers\": 1,"
                + " \"num_attention_heads\": 4}");
        Files.writeString(model.resolve("tokenizer.json"), """
                {"version": "1.0", "truncation": null, "padding": null,
                 "added_tokens": [
                   {"id": 4, "content": "<|start_header_id|>", "single_word": false, "lstrip": false,
                    "rstrip": false, "normalized": false, "special": true},
                   {"id": 5, "content": "<|end_header_id|>", "single_word": false, "lstrip": false,
                    "rstrip": false, "normalized": false, "special": true},
                   {"id": 6, "content": "<|eot_id|>", "single_word": false, "lstrip": false,
                    "rstrip": false, "normalized": false, "special": true}],
                 "normalizer": null, "pre_tokenizer": {"type": "Whitespace"}, "post_processor": null,
                 "decoder": null,
                 "model": {"type": "WordLevel", "unk_token": "[UNK]",
                           "vocab": {"[UNK]": 0, "user": 1, "hello": 2, "world": 3}}}
                """);
        Path m = dir.resolve("m.json");
        Files.writeString(m, "[{\"role\": \"user\", \"content\": \" hello world \"}]");
        Run r = run("prompt", "--model", model.toString(), "--messages", m.toString(), "--ids");
        assertEquals(0, r.code(), r.err());
        assertEquals("<|start_header_id|>user<|end_header_id|>\n\nhello world<|eot_id|>\n4,1,5,2,3,6\n",
                r.out().replace(System.lineSeparator(), "\n"));
        r = run("prompt", "--model", dir.resolve("nowhere").toString(), "--messages", m.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("nowhere"), r.err());
    }
}
