package ai.t2l.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.t2l.cli.TinyWorld.Run;
import ai.t2l.embed.OnnxTaskEmbedder;
import ai.t2l.generate.ChatModel;
import ai.t2l.generate.Generation;
import ai.t2l.generate.Generator;
import ai.t2l.generate.TokenListener;
import ai.t2l.hypernet.HypernetCheckpoint;
import ai.t2l.hypernet.T2lFolder;
import ai.t2l.lora.LoraBatch;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code t2l run} with adapters that do change the answer (issue 13.1, 13.2), on the committed miniature: an oracle
 * LoRA through {@code --adapter}, and the SFT-L hypernetwork through {@code --t2l --description}. Each answer must
 * differ from the base model's (a dropped adapter fails here) and equal what the library's own generation loop gives
 * with the same LoRA weights (an adapter applied wrongly fails here).
 */
class RunAdapterParityTest {
    static final Path MINI = Paths.get("..", "miniature");
    static final Path MODEL = MINI.resolve("model");
    /** Test-split words of the tasks below (miniature/world/examples/*&#47;test.jsonl). */
    static final List<String> WORDS = List.of("ltdgeg", "cuyzz", "ebkgio");

    @BeforeAll
    static void miniatureIsThere() {
        assertTrue(Files.exists(MODEL.resolve("config.json")), "the committed miniature is missing: " + MODEL);
    }

    static Run ok(String... args) {
        Run r = TinyWorld.run(args);
        assertEquals(0, r.code(), r.err());
        return r;
    }

    /** The CLI's answer without println's newline. */
    static String answer(Run r) {
        assertTrue(r.out().endsWith("\n"), r.out());
        return r.out().substring(0, r.out().length() - 1);
    }

    /** The library's greedy answer for {@code word} as a chat turn, with {@code lora} unmerged (null: the base model). */
    static String library(String word, LoraWeights lora) {
        try (ChatModel cm = ChatModel.open(MODEL); Generator g = new Generator(cm.model());
                LoraBatch b = lora == null ? null : LoraBatch.shared(cm.model().manager(), lora)) {
            int[] ids = cm.encodeRendered(cm.renderEvalPrompt(word, ""));
            Generation out = g.generate(ids, b, cm.greedy(40), TokenListener.NONE);
            return cm.newText(ids, out);
        }
    }

    @Test
    void runWithAnAdapterFolderAnswersAsTheLibraryDoesWithThatAdapter() {
        Path oracle = MINI.resolve("oracle/shift-1_quotes");
        LoraWeights lora = PeftAdapter.read(oracle);
        int differs = 0;
        for (String w : WORDS) {
            String base = answer(ok("run", "--model", MODEL.toString(), "--chat", "--prompt", w, "--max-new-tokens", "40"));
            String adapted = answer(ok("run", "--model", MODEL.toString(), "--adapter", oracle.toString(), "--chat",
                    "--prompt", w, "--max-new-tokens", "40"));
            assertEquals(library(w, null), base, "base model on '" + w + "'");
            assertEquals(library(w, lora), adapted, "--adapter " + oracle + " on '" + w + "'");
            differs += adapted.equals(base) ? 0 : 1;
        }
        assertTrue(differs >= 2, "the oracle LoRA changed only " + differs + " of " + WORDS.size() + " answers");
        // the oracle was trained for this task: its answer on the first word is the task's (worked by hand:
        // ltdgeg shifted by one letter is muehfh, in double quotes)
        assertEquals("\"muehfh\"", answer(ok("run", "--model", MODEL.toString(), "--adapter", oracle.toString(),
                "--chat", "--prompt", "ltdgeg", "--max-new-tokens", "40")));
    }

    @Test
    void runWithT2lAnswersAsTheLibraryDoesWithTheGeneratedAdapter() {
        Path t2l = MINI.resolve("t2l/sft-L");
        String description = "Please shift every letter one place forward in the alphabet; the output must be in"
                + " double quotes.";
        LoraWeights lora;
        try (NDManager m = NDManager.newBaseManager("PyTorch"); HypernetCheckpoint ck = T2lFolder.load(t2l, m);
                OnnxTaskEmbedder e = OnnxTaskEmbedder.bundled()) {
            lora = ck.hypernet().generate(e.embed(description).vector());
        }
        int differs = 0;
        for (String w : WORDS) {
            Run r = ok("run", "--t2l", t2l.toString(), "--description", description, "--prompt", w,
                    "--max-new-tokens", "40");
            assertTrue(r.err().contains("adapter from \"" + description + "\""), r.err());
            String adapted = answer(r);
            assertEquals(library(w, lora), adapted, "--t2l " + t2l + " on '" + w + "'");
            differs += adapted.equals(library(w, null)) ? 0 : 1;
        }
        assertTrue(differs >= 2, "the generated adapter changed only " + differs + " of " + WORDS.size() + " answers");
        assertNotEquals(library(WORDS.get(0), null), library(WORDS.get(0), lora));
    }
}
