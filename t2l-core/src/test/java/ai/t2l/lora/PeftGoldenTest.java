package ai.t2l.lora;

import static ai.t2l.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.t2l.Shared;
import ai.t2l.TensorAssert;
import ai.t2l.generate.GenerationConfig;
import ai.t2l.generate.Generator;
import ai.t2l.generate.TokenListener;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.Json;
import ai.t2l.io.SafetensorsFile;
import ai.t2l.model.AdapterCheck;
import ai.t2l.model.Transformer;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** PEFT 0.13.2 parity (fixtures/golden/peft/README.md): unmerged and merged adapters, merged weights, greedy. */
class PeftGoldenTest {
    static final double ATOL = 1e-4;
    private static final Map<String, Transformer> BASES = new HashMap<>();

    record Fixture(String name, Path dir, JsonNode expected, Transformer base, LoraWeights adapter) {
        static Fixture of(String name) {
            Path dir = Shared.golden("peft", name);
            JsonNode expected = Json.read(dir.resolve("expected.json"));
            String base = Path.of(expected.get("base_model").asText()).getFileName().toString();
            Transformer model = BASES.computeIfAbsent(base, b -> Transformer.load(Shared.golden(b)));
            return new Fixture(name, dir, expected, model, PeftAdapter.read(dir.resolve("adapter")));
        }

        int[] ints(String seq, String field) {
            JsonNode a = expected.get(seq).get(field);
            int[] out = new int[a.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = a.get(i).asInt();
            }
            return out;
        }

        FloatTensor golden(String key) {
            try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("logits.safetensors"))) {
                return f.read(key);
            }
        }
    }

    /**
     * The shared bases must leave this class as they were loaded (issue 13.6): the merge tests work on copies of
     * their own, because unmerging leaves float32 rounding residue that the unmerged tests would otherwise see.
     */
    @AfterAll
    static void closeModels() {
        try {
            BASES.forEach((name, shared) -> {
                try (Transformer fresh = Transformer.load(Shared.golden(name))) {
                    TensorAssert.assertSameWeights("shared base " + name, fresh, shared);
                }
            });
        } finally {
            BASES.values().forEach(Transformer::close);
            BASES.clear();
        }
    }

    /** A private load of the fixture's base model, for a test that merges into it; the caller closes it. */
    static Transformer ownCopy(Fixture f) {
        return Transformer.load(Shared.golden(Path.of(f.expected().get("base_model").asText()).getFileName().toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama_all", "llama_qv", "mistral_all", "mistral_qv"})
    void unmergedAdapterLogits(String name) {
        Fixture f = Fixture.of(name);
        assertEquals(f.expected().get("scaling").asDouble(), f.adapter().config().scaling(), 1e-12, "scaling");
        AdapterCheck.check(f.base().config(), f.adapter(), f.dir().toString());
        try (LoraBatch lora = LoraBatch.shared(f.base().manager(), f.adapter())) {
            for (int s = 0; s < 2; s++) {
                int[] ids = f.ints("seq" + s, "input_ids");
                FloatTensor got = f.base().logits(ids, lora);
                double err = assertClose(name + " adapter_logits_" + s, f.golden("adapter_logits_" + s), got.data(),
                        new long[] {1, ids.length, got.shape()[1]}, ATOL);
                System.out.printf("peft %s adapter_logits_%d max |diff| %.2e%n", name, s, err);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama_all", "llama_qv", "mistral_all", "mistral_qv"})
    void mergedWeightsAndLogits(String name) {
        Fixture f = Fixture.of(name);
        try (Transformer m = ownCopy(f); Transformer.Merged merged = m.merge(f.adapter(), f.dir().toString());
                SafetensorsFile target = SafetensorsFile.open(f.dir().resolve("merged_target_weights.safetensors"))) {
            double worstW = 0;
            Pattern key = Pattern.compile("model\\.layers\\.(\\d+)\\.(self_attn|mlp)\\.(\\w+)\\.weight");
            for (String t : target.names()) {
                Matcher km = key.matcher(t);
                if (!km.matches()) {
                    throw new AssertionError("unexpected key " + t);
                }
                FloatTensor w = m.projectionWeight(Integer.parseInt(km.group(1)), km.group(3));
                worstW = Math.max(worstW, assertClose(name + " merged weight " + t, target.read(t), w.data(),
                        w.shape(), 1e-5));
            }
            System.out.printf("peft %s merged weights (%d) max |diff| %.2e%n", name, target.names().size(), worstW);
            for (int s = 0; s < 2; s++) {
                int[] ids = f.ints("seq" + s, "input_ids");
                FloatTensor got = m.logits(ids, null);
                double err = assertClose(name + " merged_logits_" + s, f.golden("merged_logits_" + s), got.data(),
                        new long[] {1, ids.length, got.shape()[1]}, ATOL);
                System.out.printf("peft %s merged_logits_%d max |diff| %.2e%n", name, s, err);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama_all", "mistral_qv"})
    void greedyWithAdapterUnmergedAndMerged(String name) {
        Fixture f = Fixture.of(name);
        try (Generator gen = new Generator(f.base()); LoraBatch lora = LoraBatch.shared(f.base().manager(), f.adapter())) {
            for (int s = 0; s < 2; s++) {
                int[] want = f.ints("seq" + s, "expected_greedy_new_tokens");
                int[] prompt = f.ints("seq" + s, "input_ids");
                assertArrayEquals(want, gen.generate(prompt, lora, GenerationConfig.greedy(12), TokenListener.NONE)
                        .tokens(), name + " seq" + s + " greedy (unmerged)");
                try (Transformer own = ownCopy(f); Generator mergedGen = new Generator(own);
                        Transformer.Merged merged = own.merge(f.adapter(), name)) {
                    assertArrayEquals(want, mergedGen.generate(prompt, null, GenerationConfig.greedy(12),
                            TokenListener.NONE).tokens(), name + " seq" + s + " greedy (merged)");
                }
            }
        }
    }
}
