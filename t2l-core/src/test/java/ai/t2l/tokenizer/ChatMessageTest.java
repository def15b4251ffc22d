package ai.t2l.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.t2l.io.T2lException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatMessageTest {
    @TempDir
    Path dir;

    private String error(String json) throws Exception {
        Path f = dir.resolve("m.json");
        Files.writeString(f, json);
        return assertThrows(T2lException.class, () -> ChatMessage.readList(f)).getMessage();
    }

    @Test
    void readsAList() throws Exception {
        Path f = dir.resolve("m.json");
        Files.writeString(f, "[{\"role\":\"user\",\"content\":\"Hi\"},{\"content\":\" x \",\"role\":\"assistant\"}]");
        assertEquals(List.of(ChatMessage.user("Hi"), ChatMessage.assistant(" x ")), ChatMessage.readList(f));
    }

    @Test
    void badInputNamesTheFileTheMessageAndTheField() throws Exception {
        String f = dir.resolve("m.json").toString();
        assertEquals(f + ": expected a JSON list of {\"role\", \"content\"} objects, found object", error("{}"));
        assertEquals(f + ": message 1: missing field 'content'",
                error("[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"user\"}]"));
        assertEquals(f + ": message 0: field 'content' should be a string, found number 3",
                error("[{\"role\":\"user\",\"content\":3}]"));
        assertEquals(f + ": message 0: unknown field 'tool_calls' (expected only 'role' and 'content')",
                error("[{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[]}]"));
        assertEquals(f + ": message 0: expected an object {\"role\", \"content\"}, found string \"hi\"",
                error("[\"hi\"]"));
        assertThrows(T2lException.class, () -> ChatMessage.readList(dir.resolve("missing.json")));
    }
}
