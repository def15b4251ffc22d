package ai.t2l.inspect;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.Shared;
import ai.t2l.io.T2lException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectorTest {
    @Test
    void describesModelAdapterAndFile() {
        String model = Inspector.inspect(Shared.golden("qwen2"), true);
        assertTrue(model.contains("qwen2: 2 layers, hidden 64"), model);
        assertTrue(model.contains("model.layers.0.self_attn.q_proj.bias"), model);
        String adapter = Inspector.inspect(Shared.golden("peft", "mistral_all", "adapter"));
        assertTrue(adapter.contains("scaling 2.00000") && adapter.contains("28 tensors"), adapter);
        String file = Inspector.inspect(Shared.golden("llama", "logits.safetensors"));
        assertTrue(file.contains("logits_greedy_1") && file.contains("[1, 31, 320]"), file);
        String t2l = Inspector.inspect(Shared.golden("t2l", "M_384"));
        assertTrue(t2l.startsWith("T2L checkpoint folder") && t2l.contains("M"), t2l);
    }

    /** Issue 10 item 19: a model's per-layer tensors are shown once, with totals, not one line per tensor. */
    @Test
    void modelFoldersAreSummarisedPerLayerUnlessAll() {
        String summary = Inspector.inspect(Shared.golden("qwen2"));
        assertTrue(summary.contains("per layer (i = 0..1, 2 layers; --all lists every tensor)"), summary);
        assertTrue(summary.contains("model.layers.{i}.self_attn.q_proj.bias"), summary);
        assertTrue(!summary.contains("model.layers.0.") && !summary.contains("model.layers.1."), summary);
        assertTrue(summary.contains("model.embed_tokens.weight"), "tensors outside the layers are listed: " + summary);
        String all = Inspector.inspect(Shared.golden("qwen2"), true);
        long tensors = all.lines().filter(l -> l.contains("model.layers.")).count();
        assertTrue(summary.lines().count() < all.lines().count() && tensors > 2 * 10, summary + "\n---\n" + all);
        assertTrue(summary.matches("(?s).*\\d+ tensors, [\\d,]+ parameters, [\\d.]+ KiB \\(\\d+ F32\\).*"), summary);
    }

    @Test
    void unknownThingsAreRefusedClearly(@TempDir Path tmp) throws Exception {
        Path txt = Files.writeString(tmp.resolve("notes.txt"), "hi");
        assertTrue(assertThrows(T2lException.class, () -> Inspector.inspect(txt)).getMessage().contains("notes.txt"));
        assertTrue(assertThrows(T2lException.class, () -> Inspector.inspect(tmp)).getMessage().contains("not a model"));
        Files.writeString(tmp.resolve("config.json"), "{\"model_type\":\"gpt2\",\"hidden_size\":8}");
        String msg = assertThrows(T2lException.class, () -> Inspector.inspect(tmp)).getMessage();
        assertTrue(msg.contains("model_type") && msg.contains("gpt2") && msg.contains("llama"), msg);
    }
}
