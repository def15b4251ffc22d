package ai.t2l.model;

import ai.t2l.Shared;
import ai.t2l.compute.WeightPrecision;
import ai.t2l.TensorAssert;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.Json;
import ai.t2l.io.SafetensorsFile;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A golden model fixture (fixtures/golden/&lt;name&gt;): the model folder, the golden logits and expected.json.
 * {@code prefix} selects the logits keys (llama_bf16 stores fp32compute_*), {@code section} the expected.json part.
 */
record Golden(String name, Path dir, String prefix, String section, WeightPrecision precision) {
    static final Golden LLAMA = new Golden("llama", "", null);
    static final Golden LLAMA_BF16 = new Golden("llama_bf16", "fp32compute_", "fp32_compute_from_bf16_weights");
    static final Golden MISTRAL = new Golden("mistral", "", null);
    static final Golden GEMMA2 = new Golden("gemma2", "", null);
    static final Golden QWEN2 = new Golden("qwen2", "", null);
    /** llama_bf16 with its bf16 weights used in place (memory-mapped, our kernels, float32 accumulation). */
    static final Golden LLAMA_BF16_STORED = new Golden("llama_bf16", Shared.golden("llama_bf16"), "fp32compute_",
            "fp32_compute_from_bf16_weights", WeightPrecision.BF16);
    static final Golden[] ALL = {LLAMA, LLAMA_BF16, LLAMA_BF16_STORED, MISTRAL, GEMMA2, QWEN2};

    private static final Map<Loaded, Transformer> MODELS = new HashMap<>();

    /** What a cached model was loaded from: the folder and the precision its weights are held in. */
    private record Loaded(Path dir, WeightPrecision precision) {}

    Golden(String name, String prefix, String section) {
        this(name, Shared.golden(name), prefix, section, WeightPrecision.F32);
    }

    FloatTensor tensor(String key) {
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("logits.safetensors"))) {
            return f.read(prefix + key);
        }
    }

    JsonNode seq(int i) {
        JsonNode root = Json.read(dir.resolve("expected.json"));
        return (section == null ? root : root.get(section)).get("seq" + i);
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    int[] prompt(int i) {
        return ints(seq(i).get("input_ids"));
    }

    int[] greedy(int i) {
        return ints(seq(i).get("expected_greedy_new_tokens"));
    }

    /**
     * Loaded once per test JVM (the fixtures are read-only); never closed before exit. Never merge an adapter into
     * it: unmerging leaves rounding residue that later golden tests would see. Use {@link #ownCopy} for that.
     */
    synchronized Transformer model() {
        return MODELS.computeIfAbsent(new Loaded(dir, precision), k -> Transformer.load(dir, precision));
    }

    /** A private load of the model for a test that changes its weights (merge); the caller closes it. */
    Transformer ownCopy() {
        return Transformer.load(dir, precision);
    }

    /** Asserts that every model cached so far still holds exactly the weights of its folder. */
    static synchronized void assertCachedModelsUntouched() {
        MODELS.forEach((key, cached) -> {
            try (Transformer fresh = Transformer.load(key.dir(), key.precision())) {
                TensorAssert.assertSameWeights("shared model " + key.dir().getFileName() + " " + key.precision(),
                        fresh, cached);
            }
        });
    }

    @Override
    public String toString() {
        return precision == WeightPrecision.F32 ? name : name + " (" + precision.label() + " weights)";
    }
}
