package ai.t2l.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.Shared;
import ai.t2l.io.DType;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.Json;
import ai.t2l.io.SafetensorsFile;
import ai.t2l.io.SafetensorsWriter;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraBatch;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import ai.t2l.model.Transformer;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 11 item 5: {@code t2l export --merged} is PEFT's merge_and_unload as an HF folder. */
class MergedExportTest {
    @TempDir
    Path tmp;

    private static final Path ADAPTER = Shared.golden("peft", "llama_all", "adapter");

    @Test
    void mergedWeightsAndLogitsAreThoseOfPeftsMergeAndUnload() throws IOException {
        Path out = tmp.resolve("merged");
        LoraWeights a = PeftAdapter.read(ADAPTER);
        MergedExport.write(Shared.golden("llama"), a, ADAPTER.toString(), out, false);
        try (SafetensorsFile peft = SafetensorsFile.open(Shared.golden("peft", "llama_all", "merged_target_weights.safetensors"));
                SafetensorsFile ours = SafetensorsFile.open(out.resolve("model.safetensors"))) {
            assertEquals(14, peft.names().size());
            for (String n : peft.names()) {
                float[] want = peft.read(n).data();
                float[] got = ours.read(n).data();
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[i], 2e-6, n + "[" + i + "]");
                }
            }
            assertEquals("pt", ours.metadata().get("format"));
        }
        int[] ids = ints(Json.read(Shared.golden("llama", "expected.json")).get("seq1").get("input_ids"));
        FloatTensor merged;
        try (Transformer m = Transformer.load(out)) {
            merged = m.logits(ids, null);
        }
        FloatTensor unmerged;
        try (Transformer m = Transformer.load(Shared.golden("llama")); LoraBatch lora = LoraBatch.shared(m.manager(), a)) {
            unmerged = m.logits(ids, lora);
        }
        float[] golden;
        try (SafetensorsFile f = SafetensorsFile.open(Shared.golden("peft", "llama_all", "logits.safetensors"))) {
            golden = f.read("adapter_logits_1").data();
        }
        for (int i = 0; i < golden.length; i++) {
            assertEquals(unmerged.data()[i], merged.data()[i], 1e-4, "merged vs base+adapter [" + i + "]");
            assertEquals(golden[i], merged.data()[i], 1e-4, "merged vs PEFT [" + i + "]");
        }
        assertEquals(Files.readString(Shared.golden("llama", "config.json")), Files.readString(out.resolve("config.json")));
        assertTrue(Files.exists(out.resolve("generation_config.json")));
    }

    /** A bf16 base split in two shards keeps its shards, index and dtype; copied files are 0644 like the weights. */
    @Test
    void keepsTheBasesShardsAndDtype() throws IOException {
        Path base = tmp.resolve("bf16-sharded");
        Files.createDirectories(base);
        Map<String, String> weightMap = new LinkedHashMap<>();
        try (SafetensorsFile src = SafetensorsFile.open(Shared.golden("llama_bf16", "model.safetensors"))) {
            List<SafetensorsWriter.LazyTensor> one = new ArrayList<>();
            List<SafetensorsWriter.LazyTensor> two = new ArrayList<>();
            for (String n : src.names()) {
                assertEquals(DType.BF16, src.entry(n).dtype(), n);
                FloatTensor t = src.read(n);
                boolean first = n.contains("layers.0.") || n.contains("embed");
                String shard = first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
                (first ? one : two).add(new SafetensorsWriter.LazyTensor(n, DType.BF16, t.shape(), t::data));
                weightMap.put(n, shard);
            }
            SafetensorsWriter.writeLazy(base.resolve("model-00001-of-00002.safetensors"), one, Map.of("format", "pt"));
            SafetensorsWriter.writeLazy(base.resolve("model-00002-of-00002.safetensors"), two, Map.of("format", "pt"));
        }
        var index = Json.MAPPER.createObjectNode();
        index.putObject("metadata").put("total_size", 1);
        weightMap.forEach(index.putObject("weight_map")::put);
        Files.writeString(base.resolve("model.safetensors.index.json"), Json.write(index));
        Files.copy(Shared.golden("llama_bf16", "config.json"), base.resolve("config.json"));
        Files.writeString(base.resolve("tokenizer_config.json"), "{}");
        Files.setPosixFilePermissions(base.resolve("tokenizer_config.json"), PosixFilePermissions.fromString("r--r--r--"));

        Path out = tmp.resolve("merged");
        LoraWeights a = PeftAdapter.read(ADAPTER);
        MergedExport.write(base, a, ADAPTER.toString(), out, false);
        try (var files = Files.list(out)) {
            assertEquals(List.of("config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
                    "model.safetensors.index.json", "tokenizer_config.json"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals(Json.read(base.resolve("model.safetensors.index.json")), Json.read(out.resolve("model.safetensors.index.json")));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
        try (var files = Files.list(out)) {
            for (Path p : files.toList()) {
                assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), p.toString());
            }
        }
        String q = "model.layers.1.self_attn.q_proj.weight";
        try (SafetensorsFile in = SafetensorsFile.open(base.resolve("model-00002-of-00002.safetensors"));
                SafetensorsFile got = SafetensorsFile.open(out.resolve("model-00002-of-00002.safetensors"))) {
            assertEquals(in.names(), got.names());
            for (String n : got.names()) {
                assertEquals(DType.BF16, got.entry(n).dtype(), n);
            }
            float[] w = in.read(q).data();
            float[] want = LoraMerge.merged(w, a.get(1, "q_proj"), a.config().scaling());
            float[] m = got.read(q).data();
            int changed = 0;
            for (int i = 0; i < w.length; i++) {
                // bf16 keeps 8 significant bits: the merged value is the float32 merge rounded once
                assertEquals(want[i], m[i], Math.abs(want[i]) / 128 + 1e-30, q + "[" + i + "]");
                changed += m[i] != w[i] ? 1 : 0;
            }
            assertTrue(changed > w.length / 2, "the adapter changed the weight: " + changed + " of " + w.length);
            assertEquals(in.read("model.norm.weight").data()[3], got.read("model.norm.weight").data()[3]);
        }
    }

    @Test
    void anAdapterForAnotherModelIsRefusedAndNothingIsWritten() {
        Path out = tmp.resolve("never");
        LoraWeights mistral = PeftAdapter.read(Shared.golden("peft", "mistral_all", "adapter"));
        T2lException e = assertThrows(T2lException.class,
                () -> MergedExport.write(Shared.golden("gemma2"), mistral, "mistral_all", out, false));
        assertTrue(e.getMessage().contains("mistral_all"), e.getMessage());
        assertTrue(!Files.exists(out));
    }

    private static int[] ints(JsonNode n) {
        int[] out = new int[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asInt();
        }
        return out;
    }
}
