package ai.t2l.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.Shared;
import ai.t2l.io.Json;
import ai.t2l.io.SafetensorsFile;
import ai.t2l.io.T2lException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeftAdapterTest {
    @TempDir
    Path tmp;

    @Test
    void readsEveryGoldenPeftAdapter() {
        record Case(String dir, int sites, List<String> modules) {}
        for (Case c : List.of(new Case("llama_qv", 4, List.of("v_proj", "q_proj")),
                new Case("mistral_qv", 4, List.of("v_proj", "q_proj")),
                new Case("llama_all", 14, null), new Case("mistral_all", 14, null))) {
            LoraWeights w = PeftAdapter.read(Shared.golden("peft", c.dir, "adapter"));
            assertEquals(8, w.config().r(), c.dir);
            assertEquals(2.0, w.config().scaling(), 1e-12, c.dir);
            assertEquals(c.sites, w.pairs().size(), c.dir);
            if (c.modules != null) {
                assertEquals(c.modules, w.config().targetModules(), c.dir + ": order kept from the file");
            }
        }
        LoraWeights qv = PeftAdapter.read(Shared.golden("peft", "llama_qv", "adapter"));
        assertArrayEquals(new long[] {8, 64}, qv.get(1, "v_proj").a().shape());
        assertArrayEquals(new long[] {32, 8}, qv.get(1, "v_proj").b().shape());
    }

    @Test
    void writeReadRoundTripKeepsBytesKeysAndConfig() throws IOException {
        LoraWeights w = PeftAdapter.read(Shared.golden("t2l", "L_384", "expected", "task0"));
        Path out = tmp.resolve("adapter");
        PeftAdapter.write(out, w, "mistral", "a task", false);
        LoraWeights back = PeftAdapter.read(out);
        assertEquals(w.pairs().keySet(), back.pairs().keySet());
        w.pairs().forEach((site, p) -> {
            assertArrayEquals(p.a().data(), back.pairs().get(site).a().data(), site + " A");
            assertArrayEquals(p.b().data(), back.pairs().get(site).b().data(), site + " B");
        });
        assertEquals("a task", Files.readString(out.resolve("task_desc.txt")));
        try (SafetensorsFile f = SafetensorsFile.open(out.resolve(PeftAdapter.WEIGHTS))) {
            assertTrue(f.metadata().isEmpty(), "reference writes no __metadata__");
        }
        var cfg = Json.read(out.resolve(PeftAdapter.CONFIG));
        assertEquals(16, cfg.get("lora_alpha").asInt());
        assertTrue(cfg.get("lora_alpha").isIntegralNumber());
        assertTrue(cfg.get("use_rslora").asBoolean());
        assertEquals("LORA", cfg.get("peft_type").asText());
        assertEquals("CAUSAL_LM", cfg.get("task_type").asText());
    }

    @Test
    void refusesToOverwriteAndLeavesNoPartialFolder() throws IOException {
        LoraWeights w = PeftAdapter.read(Shared.golden("peft", "llama_qv", "adapter"));
        Path out = tmp.resolve("a");
        PeftAdapter.write(out, w, "llama", null, false);
        assertThrows(T2lException.class, () -> PeftAdapter.write(out, w, "llama", null, false));
        try (var s = Files.list(tmp)) {
            assertEquals(List.of(out), s.toList(), "no temporary folders left behind");
        }
    }

    @Test
    void badAdaptersAreNamed() throws IOException {
        Path dir = tmp.resolve("bad");
        Files.createDirectories(dir);
        Files.copy(Shared.golden("peft", "llama_all", "adapter", "adapter_model.safetensors"),
                dir.resolve(PeftAdapter.WEIGHTS));
        Files.writeString(dir.resolve(PeftAdapter.CONFIG),
                "{\"peft_type\":\"LORA\",\"r\":8,\"lora_alpha\":16,\"target_modules\":[\"q_proj\",\"v_proj\"]}");
        T2lException e = assertThrows(T2lException.class, () -> PeftAdapter.read(dir));
        assertTrue(e.getMessage().contains("not in target_modules"), e.getMessage());
        Files.writeString(dir.resolve(PeftAdapter.CONFIG), "{\"peft_type\":\"LORA\",\"r\":4,\"lora_alpha\":16,"
                + "\"target_modules\":[\"q_proj\",\"k_proj\",\"v_proj\",\"o_proj\",\"gate_proj\",\"up_proj\",\"down_proj\"]}");
        e = assertThrows(T2lException.class, () -> PeftAdapter.read(dir));
        assertTrue(e.getMessage().contains("expected") && e.getMessage().contains("r=4"), e.getMessage());
        assertFalse(e.getMessage().isBlank());
        e = assertThrows(T2lException.class, () -> PeftAdapter.read(tmp.resolve("nowhere")));
        assertTrue(e.getMessage().contains("nowhere"));
    }
}
