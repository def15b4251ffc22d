package ai.t2l.model;

import ai.t2l.Shared;
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
record Golden(String name, Path dir, String prefix, String section) {
    static final Golden LLAMA = new Golden("llama", "", null);
    static final Golden LLAMA_BF16 = new Golden("llama_bf16", "fp32compute_", "fp32_compute_from_bf16_weights");
    static final Golden MISTRAL = new Golden("mistral", "", null);
    static final Golden GEMMA2 = new Golden("gemma2", "", null);
    static final Golden QWEN2 = new Golden("qwen2", "", null);
    static final Golden[] ALL = {LLAMA, LLAMA_BF16, MISTRAL, GEMMA2, QWEN2};

    private static final Map<Path, Transformer> MODELS = new HashMap<>();

    Golden(String name, String prefix, String section) {
        this(name, Shared.golden(name), prefix, section);
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
        return MODELS.computeIfAbsent(dir, Transformer::load);
    }

    /** A private load of the model for a test that changes its weights (merge); the caller closes it. */
    Transformer ownCopy() {
        return Transformer.load(dir);
    }

    /** Asserts that every model cached so far still holds exactly the weights of its folder. */
    static synchronized void assertCachedModelsUntouched() {
        MODELS.forEach((dir, cached) -> {
            try (Transformer fresh = Transformer.load(dir)) {
                TensorAssert.assertSameWeights("shared model " + dir.getFileName(), fresh, cached);
            }
        });
    }

    @Override
    public String toString() {
        return name;
    }
}
