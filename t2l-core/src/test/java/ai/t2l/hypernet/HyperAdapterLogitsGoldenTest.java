package ai.t2l.hypernet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDManager;
import ai.t2l.Shared;
import ai.t2l.generate.GenerationConfig;
import ai.t2l.generate.Generator;
import ai.t2l.generate.TokenListener;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.Json;
import ai.t2l.io.SafetensorsFile;
import ai.t2l.lora.LoraBatch;
import ai.t2l.lora.LoraWeights;
import ai.t2l.model.Transformer;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * End to end against the reference (fixtures/golden/t2l/README.md): the adapter our hypernetwork generates from
 * each task embedding, applied to the tiny Mistral by our runtime, reproduces the logits that PEFT computed with
 * the reference's adapter (atol 1e-4) and the greedy continuation of seq0 exactly.
 */
class HyperAdapterLogitsGoldenTest {
    private static final double ATOL = 1e-4;

    static String[] variants() {
        return Golden.VARIANTS;
    }

    @ParameterizedTest
    @MethodSource("variants")
    void generatedAdapterGivesTheReferenceLogits(String variant) {
        Path dir = Golden.dir(variant);
        JsonNode expected = Json.read(dir.resolve("expected/expected.json"));
        double worst = 0;
        try (NDManager nd = NDManager.newBaseManager("PyTorch");
                HypernetCheckpoint ckpt = HypernetCheckpoint.load(dir, LoadOptions.defaults(), nd);
                Transformer model = Transformer.load(Shared.golden("mistral"));
                Generator generator = new Generator(model);
                SafetensorsFile logits = SafetensorsFile.open(dir.resolve("expected/logits.safetensors"))) {
            for (int t = 0; t < 3; t++) {
                LoraWeights adapter = ckpt.hypernet().generate(Golden.embedding(variant, t, "task_emb"));
                try (LoraBatch lora = LoraBatch.shared(nd, adapter)) {
                    for (int j = 0; j < 2; j++) {
                        int[] ids = ints(expected.get("input_ids").get("seq" + j));
                        FloatTensor got = model.logits(ids, lora);
                        FloatTensor want = logits.read("task" + t + "_logits_" + j);
                        worst = Math.max(worst, Golden.assertClose(variant + " task" + t + " logits seq" + j,
                                want, got.data(), new long[] {1, ids.length, got.shape()[1]}, ATOL));
                    }
                    int[] prompt = ints(expected.get("input_ids").get("seq0"));
                    int[] greedy = ints(expected.get("results").get("task" + t).get("greedy_seq0_new_tokens"));
                    int[] ours = generator.generate(prompt, lora, GenerationConfig.greedy(greedy.length),
                            TokenListener.NONE).tokens();
                    assertArrayEquals(greedy, ours, variant + " task" + t + ": greedy tokens with the adapter");
                }
            }
        }
        System.out.printf("golden %-24s adapter logits max|diff| %.3g%n", variant, worst);
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }
}
