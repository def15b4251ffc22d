package ai.t2l.miniature;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MiniTokenizerTest {
    @TempDir
    static Path dir;
    static HuggingFaceTokenizer tokenizer;

    @BeforeAll
    static void load() throws Exception {
        MiniTokenizer.write(dir);
        tokenizer = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"), Map.of("truncation", "false"));
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void everyPrintableCharacterIsItsOwnToken() {
        StringBuilder all = new StringBuilder("\n");
        for (char c = ' '; c <= '~'; c++) {
            all.append(c);
        }
        String text = all + "  two  spaces\n\nand newlines ";
        long[] ids = encode(text);
        assertEquals(text.length(), ids.length, "one token per character");
        for (int i = 0; i < text.length(); i++) {
            assertEquals(MiniTokenizer.id(String.valueOf(text.charAt(i))), ids[i],
                    "character " + i + " '" + text.charAt(i) + "'");
        }
        assertEquals(text, tokenizer.decode(ids, false));
    }

    @Test
    void specialTokensAreSingleIdsAndSkippable() {
        MiniChatFormat chat = new MiniChatFormat();
        String text = chat.render("ab c", true) + "x y" + MiniChatFormat.END + MiniTokenizer.EOS + MiniTokenizer.PAD;
        long[] ids = encode(text);
        long[] expected = {1, 4, id("a"), id("b"), id(" "), id("c"), 6, 5, id("x"), id(" "), id("y"), 6, 2, 0};
        assertArrayEquals(expected, ids);
        assertEquals(text, tokenizer.decode(ids, false));
        assertEquals("ab cx y", tokenizer.decode(ids, true));
    }

    @Test
    void roundTripsEveryTasksExamplesDescriptionsAndControls() {
        TaskWorld world = TaskWorld.standard();
        MiniChatFormat chat = new MiniChatFormat();
        List<String> texts = new ArrayList<>(ControlDescriptions.random(12, 1));
        for (Task t : world.tasks()) {
            for (Example e : world.examples(t, Split.TRAIN, 8, 4)) {
                texts.add(chat.render(e.prompt(), false) + chat.renderAssistant(e.response()));
            }
            texts.addAll(t.trainDescriptions());
            texts.addAll(t.evalDescriptions());
        }
        for (String text : texts) {
            long[] ids = encode(text);
            for (long id : ids) {
                assertEquals(false, id == MiniTokenizer.id(MiniTokenizer.UNK), "unknown token in: " + text);
            }
            assertEquals(text, tokenizer.decode(ids, false), "round trip");
        }
    }

    @Test
    void loadsFromTheFolderWithItsConfigAndAddsNothingOnEncode() throws Exception {
        // Runtimes load the folder (tokenizer.json + tokenizer_config.json) with default special-token handling.
        try (HuggingFaceTokenizer fromDir = HuggingFaceTokenizer.newInstance(dir, Map.of("truncation", "false"))) {
            String text = new MiniChatFormat().render("abc", true);
            assertArrayEquals(encode(text), fromDir.encode(text).getIds());
        }
    }

    @Test
    void unknownCharactersBecomeUnk() {
        assertArrayEquals(new long[] {id("a"), 3, id("b")}, encode("a\u00e9b"));
    }

    @Test
    void filesAreDeterministicAndCarryTheChatTemplate() throws Exception {
        String json = Files.readString(dir.resolve("tokenizer.json"));
        assertEquals(MiniTokenizer.tokenizerJson(), json);
        String config = Files.readString(dir.resolve("tokenizer_config.json"));
        assertEquals(true, config.contains("\"chat_template\""));
        assertEquals(MiniTokenizer.vocabulary().size(), MiniTokenizer.vocabSize());
        assertEquals(103, MiniTokenizer.vocabSize());
    }

    private static long[] encode(String text) {
        Encoding enc = tokenizer.encode(text, false, false);
        return enc.getIds();
    }

    private static long id(String token) {
        return MiniTokenizer.id(token);
    }
}
