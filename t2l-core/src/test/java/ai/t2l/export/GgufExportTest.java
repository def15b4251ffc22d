package ai.t2l.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.Shared;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.GgufFile;
import ai.t2l.io.GgufWriter;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraConfig;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import ai.t2l.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GGUF files we write, read back: metadata, names, layouts, alpha (issue 11 item 3). */
class GgufExportTest {
    @TempDir
    Path tmp;

    @Test
    void writerRoundTripsMetadataAndTensorsAligned() throws IOException {
        Path f = tmp.resolve("t.gguf");
        float[] a = {1.5f, -2.25f, 3f, 0.1f, 65504f, -0f};
        new GgufWriter().putString("general.architecture", "llama").putU32("u", 7).putF32("f", 0.5f)
                .putBool("b", true).putStrings("s", List.of("x", "ÿ", "")).putI32s("i", new int[] {1, -2})
                .addTensor("w32", new long[] {2, 3}, GgufWriter.TensorType.F32, () -> a)
                .addTensor("w16", new long[] {3, 2}, GgufWriter.TensorType.F16, () -> a)
                .addTensor("b16", new long[] {6}, GgufWriter.TensorType.BF16, () -> a)
                .write(f);
        GgufFile g = GgufFile.read(f);
        assertEquals("llama", g.metadata().get("general.architecture"));
        assertEquals(7L, g.metadata().get("u"));
        assertEquals(0.5f, g.metadata().get("f"));
        assertEquals(true, g.metadata().get("b"));
        assertEquals(List.of("x", "ÿ", ""), g.metadata().get("s"));
        assertEquals(List.of(1L, -2L), g.metadata().get("i"));
        assertArrayEquals(new long[] {2, 3}, g.tensors().get("w32").shape());
        assertArrayEquals(a, g.read("w32").data());
        assertArrayEquals(new float[] {1.5f, -2.25f, 3f, 0.099975586f, 65504f, -0f}, g.read("w16").data());
        assertArrayEquals(new float[] {1.5f, -2.25f, 3f, Float.intBitsToFloat(0x3DCD0000), 65536f, -0f}, g.read("b16").data());
        for (GgufFile.TensorInfo t : g.tensors().values()) {
            assertEquals(0, t.offset() % GgufWriter.ALIGNMENT, t.name());
        }
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        Files.write(tmp.resolve("bad.gguf"), new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0, -1, -1, -1, 127});
        T2lException e = assertThrows(T2lException.class, () -> GgufFile.read(tmp.resolve("bad.gguf")));
        assertTrue(e.getMessage().contains("bad.gguf"), e.getMessage());
    }

    @Test
    void adapterHasLlamaCppsNamesMetadataAndAnAlphaThatKeepsRsLoraScaling() {
        ModelConfig llama = ModelConfig.read(Shared.golden("llama"));
        LoraWeights plain = PeftAdapter.read(Shared.golden("peft", "llama_all", "adapter"));
        Path out = tmp.resolve("a.gguf");
        GgufAdapterExport.write(plain, llama, "llama_all", out, GgufWriter.TensorType.F32, "llama_all");
        GgufFile g = GgufFile.read(out);
        assertEquals("adapter", g.metadata().get("general.type"));
        assertEquals("lora", g.metadata().get("adapter.type"));
        assertEquals("llama", g.metadata().get("general.architecture"));
        assertEquals(16f, g.metadata().get("adapter.lora.alpha"), "no rsLoRA: PEFT's alpha as is");
        assertEquals(2 * 14, g.tensors().size());
        assertArrayEquals(new long[] {8, 160}, g.tensors().get("blk.1.ffn_down.weight.lora_a").shape());
        assertArrayEquals(new long[] {32, 8}, g.tensors().get("blk.0.attn_k.weight.lora_b").shape());
        assertTrue(g.tensors().containsKey("blk.1.attn_output.weight.lora_b"));
        // v is not permuted, k is (by the 2 kv heads), so B_gguf A = permute(B A) as convert_hf_to_gguf does it to W
        assertArrayEquals(plain.get(0, "v_proj").b().data(), g.read("blk.0.attn_v.weight.lora_b").data());
        float[] kb = plain.get(0, "k_proj").b().data();
        float[] want = GgufLayout.permuteRows(kb, 32, 8, 2, "k");
        assertArrayEquals(want, g.read("blk.0.attn_k.weight.lora_b").data());
        assertEquals(kb[8 * 8 + 3], want[1 * 8 + 3], "row 1 of head 0 is the first row of its second half");

        LoraWeights rs = new LoraWeights(new LoraConfig(8, 16, true, 0, plain.config().targetModules()), plain.pairs());
        GgufAdapterExport.write(rs, llama, "rs", tmp.resolve("rs.gguf"), GgufWriter.TensorType.F16, null);
        assertEquals((float) (16 / Math.sqrt(8) * 8), GgufFile.read(tmp.resolve("rs.gguf")).metadata().get("adapter.lora.alpha"));
    }

    @Test
    void miniatureModelHasTheLlamaKeysAndAByteLevelVocab() {
        Path mini = LlamaCppExportTest.miniature().resolve("model");
        Path out = tmp.resolve("m.gguf");
        GgufModelExport.write(mini, null, null, out, GgufWriter.TensorType.F16, null);
        GgufFile g = GgufFile.read(out);
        Map<String, Object> md = g.metadata();
        assertEquals("llama", md.get("general.architecture"));
        assertEquals(1L, md.get("general.file_type"));
        assertEquals(2L, md.get("llama.block_count"));
        assertEquals(4L, md.get("llama.attention.head_count"));
        assertEquals("gpt2", md.get("tokenizer.ggml.model"));
        List<?> tokens = (List<?>) md.get("tokenizer.ggml.tokens");
        assertEquals(103, tokens.size());
        assertEquals("<|end|>", tokens.get(6));
        assertEquals("\u010a", tokens.get(7), "newline spelled byte-level (GPT-2's bytes_to_unicode)");
        assertEquals("\u0120", tokens.get(8), "space spelled byte-level");
        assertEquals(6L, md.get("tokenizer.ggml.eot_token_id"));
        assertEquals(false, md.get("tokenizer.ggml.add_bos_token"));
        assertTrue(((String) md.get("tokenizer.chat_template")).contains("<|assistant|>"));
        assertEquals(0, g.tensors().get("blk.0.attn_norm.weight").type(), "norms stay F32");
        assertEquals(1, g.tensors().get("blk.0.ffn_up.weight").type());
        assertTrue(!g.tensors().containsKey("output.weight"), "tied embeddings: llama.cpp reuses token_embd");
        String summary = ai.t2l.inspect.Inspector.inspect(out);
        assertTrue(summary.contains("general.architecture") && summary.contains("[103 values]")
                && summary.contains(g.tensors().size() + " tensors"), summary);
    }

    @Test
    void unsupportedModelsAreRefusedByName() throws IOException {
        T2lException e = assertThrows(T2lException.class, () -> GgufModelExport.write(Shared.golden("gemma2"), null,
                null, tmp.resolve("g.gguf"), GgufWriter.TensorType.F32, null));
        assertTrue(e.getMessage().contains("gemma2") && e.getMessage().contains("convert_hf_to_gguf"), e.getMessage());
        e = assertThrows(T2lException.class, () -> GgufModelExport.write(Shared.golden("llama"), null, null,
                tmp.resolve("l.gguf"), GgufWriter.TensorType.F32, null));
        assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
        Path spm = tmp.resolve("spm");
        Files.createDirectories(spm);
        for (String f : List.of("config.json", "model.safetensors")) {
            Files.copy(Shared.golden("llama", f), spm.resolve(f));
        }
        Files.writeString(spm.resolve("tokenizer.json"), "{\"model\":{\"type\":\"BPE\",\"byte_fallback\":true,"
                + "\"vocab\":{},\"merges\":[]},\"decoder\":{\"type\":\"Sequence\"}}");
        e = assertThrows(T2lException.class, () -> GgufModelExport.write(spm, null, null, tmp.resolve("s.gguf"),
                GgufWriter.TensorType.F32, null));
        assertTrue(e.getMessage().contains("SentencePiece") && e.getMessage().contains("tokenizer.json"), e.getMessage());
        try (var files = Files.list(tmp)) {
            assertEquals(List.of("spm"), files.map(p -> p.getFileName().toString()).toList(), "no partial files");
        }
        LoraWeights mistral = PeftAdapter.read(Shared.golden("peft", "mistral_all", "adapter"));
        e = assertThrows(T2lException.class, () -> GgufAdapterExport.write(mistral,
                ModelConfig.read(Shared.golden("gemma2")), "mistral_all", tmp.resolve("x.gguf"),
                GgufWriter.TensorType.F32, null));
        assertTrue(e.getMessage().contains("mistral_all"), e.getMessage());
    }

    @Test
    void permuteRowsIsConvertHfToGgufsPermute() {
        // numpy: w.reshape(2, 2, 2, 1).swapaxes(1, 2).reshape(8, 1) for w = arange(8): 0 2 1 3 4 6 5 7
        float[] w = {0, 1, 2, 3, 4, 5, 6, 7};
        assertArrayEquals(new float[] {0, 2, 1, 3, 4, 6, 5, 7}, GgufLayout.permuteRows(w, 8, 1, 2, "w"));
        FloatTensor t = new FloatTensor(new float[] {0, 1, 2, 3}, new long[] {4, 1});
        assertArrayEquals(new float[] {0, 2, 1, 3}, GgufLayout.permuteRows(t.data(), 4, 1, 1, "t"));
    }
}
