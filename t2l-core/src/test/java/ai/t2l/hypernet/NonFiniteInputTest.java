package ai.t2l.hypernet;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.t2l.embed.TaskText;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 10 item 8: task embeddings that are not finite never become a NaN adapter and empty text. */
class NonFiniteInputTest {
    @TempDir
    Path tmp;

    private static HyperConfig config() {
        return HyperConfig.builder().lora(new LoraConfig(2, 4, true, 0, List.of("q_proj")))
                .module("q_proj", 8, 8).numLayers(2).taskEmbDim(4).latentSize(8).headInSize(8)
                .trainingTask(TrainingTask.SFT).build();
    }

    @Test
    void anInfiniteTaskEmbeddingIsRefusedBeforeGenerating() {
        try (NDManager m = NDManager.newBaseManager(); HyperModulator h = HyperModulator.create(config(), 1, m)) {
            float[] e = {1, 2, Float.POSITIVE_INFINITY, 4};
            T2lException x = assertThrows(T2lException.class, () -> h.generate(e));
            assertTrue(x.getMessage().contains("task embedding holds Infinity at index [2]"), x.getMessage());
            h.generate(new float[] {1, 2, 3, 4}); // and a finite one still works
        }
    }

    @Test
    void anEmbeddingFileOfHugeNumbersIsRefusedNotNormalisedToNaN() throws IOException {
        Path f = tmp.resolve("emb.json");
        double[] v = new double[4];
        Arrays.fill(v, 1e308); // finite as JSON and as a double, infinite as float32
        Files.writeString(f, Arrays.toString(v));
        T2lException x = assertThrows(T2lException.class, () -> TaskText.fromJsonFile(f, 4));
        assertTrue(x.getMessage().contains(f.toString()) && x.getMessage().contains("element 0")
                && x.getMessage().contains("float32"), x.getMessage());
    }

    /**
     * Finite input, overflowing weights: the generated adapter is refused, and the error names the first bad tensor
     * in the adapter's order (the scan runs in parallel, the message must not depend on which thread saw it first).
     */
    @Test
    void anAdapterThatOverflowsIsRefusedNamingItsFirstBadTensor() {
        HyperConfig c = HyperConfig.builder().lora(new LoraConfig(2, 4, true, 0, List.of("q_proj", "v_proj")))
                .module("q_proj", 8, 8).module("v_proj", 8, 4).numLayers(3).taskEmbDim(4).latentSize(8).headInSize(8)
                .trainingTask(TrainingTask.SFT).build();
        java.util.Map<String, ai.t2l.io.FloatTensor> state = new java.util.LinkedHashMap<>(HyperInit.initialState(c, 1));
        String second = c.moduleOrder().get(1);
        ai.t2l.io.FloatTensor w = state.get("heads." + second + ".weight");
        float[] huge = new float[w.data().length];
        Arrays.fill(huge, 3e38f); // every product overflows: x·Wᵀ of the head input (|x| ≈ 1) is ±Infinity or NaN
        state.put("heads." + second + ".weight", new ai.t2l.io.FloatTensor(huge, w.shape()));
        try (NDManager m = NDManager.newBaseManager();
                HyperModulator h = HyperModulator.fromState(c, state, "overflowing", m)) {
            T2lException x = assertThrows(T2lException.class, () -> h.generate(List.of(new float[] {1, 2, 3, 4},
                    new float[] {4, 3, 2, 1})));
            assertTrue(x.getMessage().startsWith("generated adapter, layer 0 " + second + " lora_A holds"),
                    x.getMessage());
        }
    }
}
