package ai.t2l.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.io.GgufFile;
import ai.t2l.io.Json;
import ai.t2l.io.SafetensorsFile;
import ai.t2l.lora.PeftAdapter;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code t2l export} and {@code t2l generate --format gguf} from the command line (issue 11 items 3, 4, 5). */
class ExportCommandTest {
    @TempDir
    Path tmp;

    static Path golden(String... parts) {
        return Paths.get(System.getProperty("t2l.shared"), "fixtures", "golden").resolve(String.join("/", parts));
    }

    private static Object[] run(String... args) {
        return GenerateCommandTest.run(args);
    }

    @Test
    void exportsAGgufAdapterAMergedFolderAndACompatiblePeftFolder() throws Exception {
        Path adapter = golden("peft", "llama_qv", "adapter");
        Path gguf = tmp.resolve("qv.gguf");
        Object[] r = run("export", "--adapter", adapter.toString(), "--model", golden("llama").toString(),
                "--format", "gguf", "--out", gguf.toString());
        assertEquals(0, r[0], (String) r[1]);
        GgufFile g = GgufFile.read(gguf);
        assertEquals("adapter", g.metadata().get("general.type"));
        assertEquals(8, g.tensors().size());

        Path merged = tmp.resolve("merged");
        r = run("export", "--adapter", adapter.toString(), "--model", golden("llama").toString(), "--merged",
                "--out", merged.toString());
        assertEquals(0, r[0], (String) r[1]);
        try (SafetensorsFile f = SafetensorsFile.open(merged.resolve("model.safetensors"))) {
            assertTrue(f.names().contains("model.layers.1.self_attn.v_proj.weight"));
        }

        Path peft = tmp.resolve("peft");
        r = run("export", "--adapter", adapter.toString(), "--format", "peft", "--model", golden("llama").toString(),
                "--out", peft.toString());
        assertEquals(0, r[0], (String) r[1]);
        JsonNode cfg = Json.read(peft.resolve(PeftAdapter.CONFIG));
        assertEquals(golden("llama").toAbsolutePath().normalize().toString(), cfg.get("base_model_name_or_path").asText());
        TreeSet<String> keys = new TreeSet<>();
        cfg.fieldNames().forEachRemaining(keys::add);
        TreeSet<String> peft0132 = new TreeSet<>();
        Json.read(adapter.resolve(PeftAdapter.CONFIG)).fieldNames().forEachRemaining(peft0132::add);
        assertEquals(peft0132, keys);
        r = run("export", "--adapter", adapter.toString(), "--format", "peft", "--base-model-id", "meta-llama/Llama-3.2-1B",
                "--out", tmp.resolve("peft2").toString());
        assertEquals(0, r[0], (String) r[1]);
        assertEquals("meta-llama/Llama-3.2-1B",
                Json.read(tmp.resolve("peft2").resolve(PeftAdapter.CONFIG)).get("base_model_name_or_path").asText());
    }

    @Test
    void generateWritesAGgufAdapterWithTheGeneratedTensors() throws Exception {
        Path emb = tmp.resolve("raw.json");
        Path s384 = golden("t2l", "S_384");
        Files.writeString(emb, Json.read(s384.resolve("task_embeddings.json")).get("embeddings").get(1)
                .get("raw_pooled").toString());
        Path out = tmp.resolve("task1.gguf");
        Object[] r = run("generate", "--t2l", s384.toString(), "--model", golden("mistral").toString(),
                "--task-embedding", emb.toString(), "--format", "gguf", "--out", out.toString());
        assertEquals(0, r[0], (String) r[1]);
        GgufFile g = GgufFile.read(out);
        try (SafetensorsFile exp = SafetensorsFile.open(s384.resolve("expected/task1/" + PeftAdapter.WEIGHTS))) {
            float[] want = exp.read(PeftAdapter.key(1, "v_proj", 'A')).data();
            float[] got = g.read("blk.1.attn_v.weight.lora_a").data();
            assertEquals(want.length, got.length);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-5, "v_proj A[" + i + "]");
            }
        }
        assertEquals((float) (16 * Math.sqrt(8)), g.metadata().get("adapter.lora.alpha"), "T2L's rsLoRA scaling carried");

        Path peftOut = tmp.resolve("task1");
        r = run("generate", "--t2l", s384.toString(), "--task-embedding", emb.toString(), "--out", peftOut.toString());
        assertEquals(0, r[0], (String) r[1]);
        String base = Json.read(peftOut.resolve(PeftAdapter.CONFIG)).get("base_model_name_or_path").asText();
        assertTrue(Paths.get(base).isAbsolute(), "never a relative path: " + base);
    }

    @Test
    void badCombinationsFailWithOneLineAndWriteNothing() throws Exception {
        Path adapter = golden("peft", "llama_qv", "adapter");
        Path out = tmp.resolve("x.gguf");
        for (List<String> args : List.of(
                List.of("export", "--adapter", adapter.toString(), "--out", out.toString()),
                List.of("export", "--merged", "--adapter", adapter.toString(), "--out", out.toString()),
                List.of("export", "--format", "peft", "--out", out.toString()),
                List.of("export", "--adapter", adapter.toString(), "--model", tmp.toString(), "--out", out.toString()),
                List.of("export", "--adapter", tmp.toString(), "--model", golden("llama").toString(),
                        "--out", out.toString()))) {
            Object[] r = run(args.toArray(String[]::new));
            assertEquals(1, r[0], args + ": " + r[1]);
            String err = (String) r[1];
            assertTrue(err.startsWith("error: ") && !err.contains("\tat "), args + ": " + err);
        }
        assertFalse(Files.exists(out));
        Files.writeString(out, "keep");
        Object[] r = run("export", "--adapter", adapter.toString(), "--model", golden("llama").toString(),
                "--out", out.toString());
        assertEquals(1, r[0]);
        assertTrue(((String) r[1]).contains("already exists"), (String) r[1]);
        assertArrayEquals("keep".getBytes(), Files.readAllBytes(out));
    }
}
