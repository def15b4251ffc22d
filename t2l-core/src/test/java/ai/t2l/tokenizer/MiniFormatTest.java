package ai.t2l.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.io.T2lException;
import ai.t2l.miniature.MiniTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MiniFormatTest {
    private final ChatFormat mini = ChatFormat.byName("mini");

    @Test
    void rendersTurnsWithBosBeforeTheFirstUserTurn() {
        assertEquals("<s><|user|>abc<|end|><|assistant|>",
                mini.render(List.of(ChatMessage.system(""), ChatMessage.user("abc")), true));
        assertEquals("<s><|user|>abc<|end|><|assistant|>cba<|end|><|user|>x<|end|>", mini.render(List.of(
                ChatMessage.user("abc"), ChatMessage.assistant("cba"), ChatMessage.user("x")), false));
    }

    @Test
    void promptAndResponseRenderedApartConcatenateToTheGenerationPromptPlusAnswer() {
        CompletionExample.Builder b = CompletionExample.builder().setFormat(mini);
        assertEquals(mini.render(List.of(ChatMessage.user("abc")), true) + "cba" + mini.endOfTurn(),
                b.renderPrompt("abc") + b.renderResponse("cba"));
    }

    @Test
    void refusesANonEmptySystemTurn() {
        T2lException e = assertThrows(T2lException.class,
                () -> mini.render(List.of(ChatMessage.system("be nice"), ChatMessage.user("a")), true));
        assertTrue(e.getMessage().contains("no system turn"), e.getMessage());
    }

    @Test
    void aModelFolderNamesItsFormatInTokenizerConfig(@TempDir Path dir) throws Exception {
        MiniTokenizer.write(dir);
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"llama\", \"vocab_size\": 103,"
                + " \"hidden_size\": 8, \"intermediate_size\": 16, \"num_hidden_layers\": 1,"
                + " \"num_attention_heads\": 2}");
        assertEquals("mini", ChatFormat.forModel(dir).name());
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"t2l_chat_format\": \"nope\"}");
        T2lException e = assertThrows(T2lException.class, () -> ChatFormat.forModel(dir));
        assertTrue(e.getMessage().contains("tokenizer_config.json") && e.getMessage().contains("t2l_chat_format"),
                e.getMessage());
        Files.delete(dir.resolve("tokenizer_config.json"));
        assertEquals("llama3", ChatFormat.forModel(dir).name(), "without the field: the family's format");
    }
}
