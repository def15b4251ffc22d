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
        try {
            LlamaModel.setLogger(null, (level, msg) -> {
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
        ModelParameters mp = new ModelParameters().setModel(gguf.toString()).setCtxSize(256).setThreads(1)
                .setThreadsBatch(1).setParallel(1).setGpuLayers(0).skipWarmup();
        if (adapterGguf != null) {
            mp.addLoraAdapter(adapterGguf.toString());
        }
        List<String> out = new ArrayList<>();
        try (LlamaModel m = new LlamaModel(mp)) {
            for (int[] ids : prompts) {
                InferenceParameters ip = new InferenceParameters("").setNPredict(NEW_TOKENS).setTemperature(0f)
                        .setTopK(1).setRepeatPenalty(1f).setSeed(1).setCachePrompt(false);
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
        }
    }
}
