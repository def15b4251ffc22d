package ai.t2l.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.generate.ChatModel;
import ai.t2l.io.GgufWriter;
import ai.t2l.lora.LoraBatch;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import ai.t2l.tokenizer.ChatMessage;
import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LogLevel;
import de.kherud.llama.ModelParameters;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 item 3: our GGUF exports run in a real llama.cpp (the build bundled in de.kherud:llama) and give our
 * greedy tokens, with and without the exported adapter; the adapter changes llama.cpp's output as it changes ours.
 * The miniature's model and one of its oracle adapters (rsLoRA, so the alpha carrying is tested too).
 */
class LlamaCppExportTest {
    private static final int NEW_TOKENS = 12;
    private static final List<String> INPUTS = List.of("esikelz", "gudulnjd", "fmyuesk", "peubvsu", "ydopg");

    @TempDir
    static Path tmp;

    static Path miniature() {
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("miniature/model/config.json"))) {
                return p.resolve("miniature");
            }
        }
        throw new IllegalStateException("no miniature/ above " + Paths.get("").toAbsolutePath());
    }

    @BeforeAll
    static void nativeLibraryLoads() {
        System.setProperty("de.kherud.llama.tmpdir", tmp.toString()); // the loader extracts its .so there
        try {
            LlamaModel.setLogger(de.kherud.llama.args.LogFormat.TEXT, (level, msg) -> {
                if (level == LogLevel.ERROR) {
                    System.err.print("llama.cpp: " + msg);
                }
            });
        } catch (LinkageError | RuntimeException e) { // UnsatisfiedLinkError, ExceptionInInitializerError, ...
            String reason = "SKIPPED: the llama.cpp native library bundled in de.kherud:llama cannot load here: " + e;
            System.out.println(reason);
            Assumptions.assumeTrue(false, reason);
        }
    }

    /** Our greedy answers (the stop token dropped, special tokens skipped) for each input. */
    private static List<String> ours(ChatModel cm, LoraWeights adapter, List<int[]> prompts) {
        if (adapter == null) {
            return cm.generateText(prompts, null, cm.greedy(NEW_TOKENS));
        }
        try (LoraBatch lora = LoraBatch.shared(cm.model().manager(), adapter)) {
            return cm.generateText(prompts, lora, cm.greedy(NEW_TOKENS));
        }
    }

    /** llama.cpp's greedy answers for the same token ids (passed as ids, not text, through the server's JSON). */
    private static List<String> llamaCpp(Path gguf, Path adapterGguf, List<int[]> prompts) throws Exception {
        return llamaCpp(gguf, adapterGguf, prompts, false);
    }

    private static List<String> llamaCpp(Path gguf, Path adapterGguf, List<int[]> prompts, boolean ignoreEos)
            throws Exception {
        ModelParameters mp = new ModelParameters().setModel(gguf.toString()).setCtxSize(256).setThreads(1)
                .setThreadsBatch(1).setParallel(1).skipWarmup().disableLog();
        if (adapterGguf != null) {
            mp.addLoraAdapter(adapterGguf.toString());
        }
        List<String> out = new ArrayList<>();
        try (LlamaModel m = new LlamaModel(mp)) {
            for (int[] ids : prompts) {
                InferenceParameters ip = new InferenceParameters("").setNPredict(NEW_TOKENS).setTemperature(0f)
                        .setTopK(1).setRepeatPenalty(1f).setSeed(1).setCachePrompt(false).setIgnoreEos(ignoreEos);
                promptIds(ip, ids);
                out.add(m.complete(ip));
            }
        }
        return out;
    }

    /** llama.cpp's server takes "prompt" as a list of token ids; the Java binding only sets strings, hence this. */
    @SuppressWarnings("unchecked")
    private static void promptIds(InferenceParameters ip, int[] ids) throws Exception {
        Field f = ip.getClass().getSuperclass().getDeclaredField("parameters");
        f.setAccessible(true);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < ids.length; i++) {
            sb.append(i == 0 ? "" : ",").append(ids[i]);
        }
        ((Map<String, String>) f.get(ip)).put("prompt", sb.append(']').toString());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void ggufModelAndAdapterGiveOurGreedyTokensInLlamaCpp() throws Exception {
        Path model = miniature().resolve("model");
        Path adapterDir = miniature().resolve("oracle/reverse_plain");
        LoraWeights adapter = PeftAdapter.read(adapterDir);
        assertTrue(adapter.config().useRslora(), "the miniature's adapters are rsLoRA: alpha must be carried");
        Path modelGguf = tmp.resolve("mini-f32.gguf");
        Path adapterGguf = tmp.resolve("reverse_plain.gguf");
        GgufModelExport.write(model, null, null, modelGguf, GgufWriter.TensorType.F32, "miniature");
        try (ChatModel cm = ChatModel.open(model)) {
            GgufAdapterExport.write(adapter, cm.model().config(), adapterDir.toString(), adapterGguf,
                    GgufWriter.TensorType.F32, "reverse_plain");
            List<int[]> prompts = new ArrayList<>();
            for (String in : INPUTS) {
                prompts.add(cm.encodeRendered(cm.format().render(List.of(ChatMessage.user(in)), true)));
            }
            List<String> base = ours(cm, null, prompts);
            List<String> adapted = ours(cm, adapter, prompts);
            assertNotEquals(base, adapted, "the adapter must change our own output for this test to mean anything");

            assertEquals(base, llamaCpp(modelGguf, null, prompts), "base model: llama.cpp vs ours");
            assertEquals(adapted, llamaCpp(modelGguf, adapterGguf, prompts), "with the GGUF adapter: llama.cpp vs ours");

            // the same adapter merged into a GGUF model (t2l export --merged --format gguf), and an f16 model
            Path mergedGguf = tmp.resolve("mini-reverse-merged.gguf");
            GgufModelExport.write(model, adapter, adapterDir.toString(), mergedGguf, GgufWriter.TensorType.F32, "m");
            assertEquals(adapted, llamaCpp(mergedGguf, null, prompts), "merged GGUF model: llama.cpp vs ours");
            Path f16 = tmp.resolve("mini-f16.gguf");
            GgufModelExport.write(model, null, null, f16, GgufWriter.TensorType.F16, "miniature f16");
            assertEquals(base, llamaCpp(f16, null, prompts), "f16 GGUF model: llama.cpp vs ours (float32)");
        }
    }

    /**
     * The golden tiny Llama (GQA, Llama 3.1 RoPE scaling: tests rope_freqs and the k permutation by kv heads) and
     * the golden PEFT all-linear adapter: llama.cpp must reproduce the greedy tokens that transformers and PEFT
     * 0.13.2 produced (expected.json), base and adapted. The fixture has no tokenizer, so a WordLevel one with
     * tokens "t0".."t319" is written beside a copy; its text is parsed back to ids.
     */
    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void goldenLlamaAndPeftAdapterGiveTheGoldenGreedyTokensInLlamaCpp() throws Exception {
        Path model = tmp.resolve("llama");
        Files.createDirectories(model);
        for (String f : List.of("config.json", "generation_config.json", "model.safetensors")) {
            Files.copy(ai.t2l.Shared.golden("llama", f), model.resolve(f));
        }
        StringBuilder vocab = new StringBuilder();
        for (int i = 3; i < 320; i++) {
            vocab.append(i == 3 ? "" : ",").append("\"t").append(i).append("\":").append(i);
        }
        Files.writeString(model.resolve("tokenizer.json"), "{\"version\":\"1.0\",\"added_tokens\":["
                + "{\"id\":0,\"content\":\"<pad>\",\"special\":true},{\"id\":1,\"content\":\"<s>\",\"special\":true},"
                + "{\"id\":2,\"content\":\"</s>\",\"special\":true}],\"decoder\":{\"type\":\"Fuse\"},"
                + "\"model\":{\"type\":\"WordLevel\",\"unk_token\":\"<pad>\",\"vocab\":{" + vocab + "}}}");
        Path modelGguf = tmp.resolve("llama-f32.gguf");
        Path adapterGguf = tmp.resolve("llama_all.gguf");
        GgufModelExport.write(model, null, null, modelGguf, GgufWriter.TensorType.F32, "golden llama");
        Path adapterDir = ai.t2l.Shared.golden("peft", "llama_all", "adapter");
        GgufAdapterExport.write(PeftAdapter.read(adapterDir), ai.t2l.model.ModelConfig.read(model),
                adapterDir.toString(), adapterGguf, GgufWriter.TensorType.F32, "llama_all");

        var base = ai.t2l.io.Json.read(ai.t2l.Shared.golden("llama", "expected.json"));
        var peft = ai.t2l.io.Json.read(ai.t2l.Shared.golden("peft", "llama_all", "expected.json"));
        List<int[]> prompts = new ArrayList<>();
        List<List<Integer>> wantBase = new ArrayList<>();
        List<List<Integer>> wantAdapted = new ArrayList<>();
        for (String seq : List.of("seq0", "seq1")) {
            prompts.add(ints(base.get(seq).get("input_ids")));
            wantBase.add(list(base.get(seq).get("expected_greedy_new_tokens")));
            wantAdapted.add(list(peft.get(seq).get("expected_greedy_new_tokens")));
        }
        assertEquals(wantBase, ids(llamaCpp(modelGguf, null, prompts, true)), "base: llama.cpp vs transformers");
        assertEquals(wantAdapted, ids(llamaCpp(modelGguf, adapterGguf, prompts, true)), "adapter: llama.cpp vs PEFT");
    }

    private static int[] ints(com.fasterxml.jackson.databind.JsonNode n) {
        return list(n).stream().mapToInt(Integer::intValue).toArray();
    }

    private static List<Integer> list(com.fasterxml.jackson.databind.JsonNode n) {
        List<Integer> out = new ArrayList<>();
        n.forEach(x -> out.add(x.asInt()));
        return out;
    }

    private static List<List<Integer>> ids(List<String> texts) {
        List<List<Integer>> out = new ArrayList<>();
        for (String t : texts) {
            List<Integer> row = new ArrayList<>();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("t(\\d+)").matcher(t);
            while (m.find()) {
                row.add(Integer.parseInt(m.group(1)));
            }
            out.add(row);
        }
        return out;
    }
}
