package ai.t2l.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.io.FloatTensor;
import ai.t2l.io.Json;
import ai.t2l.io.SafetensorsFile;
import ai.t2l.lora.PeftAdapter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateCommandTest {
    @TempDir
    Path tmp;

    static Path golden(String variant) {
        return Paths.get(System.getProperty("t2l.shared"), "fixtures", "golden", "t2l", variant);
    }

    /** Runs the CLI, capturing stderr; returns {exit code, stderr}. */
    static Object[] run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.execute(args);
            return new Object[] {code, err.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void taskEmbeddingFileReproducesTheReferenceAdapter() throws Exception {
        Path emb = tmp.resolve("raw.json");
        Files.writeString(emb, Json.read(golden("S_384").resolve("task_embeddings.json")).get("embeddings").get(1)
                .get("raw_pooled").toString());
        Path out = tmp.resolve("adapter");
        Object[] r = run("generate", "--t2l", golden("S_384").toString(), "--task-embedding", emb.toString(),
                "--out", out.toString());
        assertEquals(0, r[0], (String) r[1]);
        try (SafetensorsFile got = SafetensorsFile.open(out.resolve(PeftAdapter.WEIGHTS));
                SafetensorsFile exp = SafetensorsFile.open(golden("S_384").resolve("expected/task1/" + PeftAdapter.WEIGHTS))) {
            assertEquals(exp.names(), got.names());
            for (String k : exp.names()) {
                FloatTensor a = exp.read(k);
                FloatTensor b = got.read(k);
                for (int i = 0; i < a.data().length; i++) {
                    assertEquals(a.data()[i], b.data()[i], 1e-5, k + "[" + i + "]");
                }
            }
        }
    }

    @Test
    void descriptionsFileWritesOneAdapterEach() throws Exception {
        Path list = tmp.resolve("tasks.txt");
        Files.writeString(list, "Classify the sentiment of movie reviews\n\nTranslate English to French\n");
        Path out = tmp.resolve("many");
        Object[] r = run("generate", "--t2l", golden("M_384").toString(), "--descriptions", list.toString(),
                "--out", out.toString());
        assertEquals(0, r[0], (String) r[1]);
        assertEquals("Translate English to French",
                Files.readString(out.resolve("adapter_0002/task_desc.txt")));
        assertTrue(Files.exists(out.resolve("adapter_0001/" + PeftAdapter.WEIGHTS)));
        assertFalse(Files.exists(out.resolve("adapter_0003")));
    }

    @Test
    void badInputFailsClearlyAndLeavesNoFolder() throws Exception {
        Path out = tmp.resolve("none");
        Object[] empty = run("generate", "--t2l", golden("L_384").toString(), "--description", "   ", "--out", out.toString());
        assertEquals(1, empty[0]);
        assertTrue(((String) empty[1]).contains("description is empty"), (String) empty[1]);
        Object[] dim = run("generate", "--t2l", golden("L_1024").toString(), "--description", "Summarise news",
                "--out", out.toString());
        assertEquals(1, dim[0]);
        assertTrue(((String) dim[1]).contains("expects 1024-d") && ((String) dim[1]).contains("gives 384"), (String) dim[1]);
        Path emb = tmp.resolve("short.json");
        Files.writeString(emb, "[1, 2, 3]");
        Object[] wrong = run("generate", "--t2l", golden("L_384").toString(), "--task-embedding", emb.toString(),
                "--out", out.toString());
        assertEquals(1, wrong[0]);
        assertTrue(((String) wrong[1]).contains("3 values, expected 384"), (String) wrong[1]);
        Object[] model = run("generate", "--t2l", golden("L_384").toString(), "--model", tmp.toString(),
                "--task-embedding", emb.toString(), "--out", out.toString());
        assertEquals(1, model[0]);
        assertTrue(((String) model[1]).contains("config.json"), (String) model[1]);
        assertFalse(Files.exists(out), "no partial adapter folder");
        try (var s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".none")), "no temp folder left");
        }
    }
}
