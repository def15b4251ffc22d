package ai.t2l.hypernet;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.t2l.Shared;
import ai.t2l.compute.Bf16DotLibrary;
import ai.t2l.compute.ProductPrecision;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.Json;
import ai.t2l.io.SafetensorsFile;
import ai.t2l.lora.LoraBatch;
import ai.t2l.lora.LoraWeights;
import ai.t2l.model.Transformer;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The optional bfloat16 head products ({@link HyperModulator#headPrecision}: bf16 weights, or bf16dot weights and
 * activations of the heads and the trunk) against the float32 ones, on the golden checkpoints: how far the adapters
 * move (relative to each tensor's largest value) and how far the logits of the tiny Mistral with those adapters move
 * from the reference's, next to how far they move when the float32 adapter is itself rounded to bfloat16 (as serving
 * it in bf16, e.g. in vLLM, does). Not a parity test: the rounding is the point. The bounds are about 3× what was
 * measured (bf16 on 2026-12-03, bf16dot on 2026-12-06; docs/PERFORMANCE.md), so a kernel that reads the wrong halves
 * or rows fails them by orders of magnitude.
 */
class Bf16HeadsGoldenTest {
    /**
     * Per precision: the largest |Δ| of a generated A or B over the largest |value| of that tensor (measured ≤ 1.8e-3
     * for bf16, ≤ 6.2e-3 for bf16dot); the largest |Δlogit| against the reference's logits as a multiple of the
     * float32 adapter rounded to bf16 (measured 0.44–1.06×, bf16dot 0.8–2.5×) and absolutely (measured ≤ 0.014, bf16dot
     * ≤ 0.047; the float32 path is within 1e-4).
     */
    private record Bounds(double adapterRel, double logitsVsCast, double logitsAtol) {
        static Bounds of(ProductPrecision p) {
            return p == ProductPrecision.BF16 ? new Bounds(5e-3, 3, 0.05) : new Bounds(2e-2, 8, 0.15);
        }
    }

    static java.util.stream.Stream<Arguments> cases() {
        return java.util.Arrays.stream(Golden.VARIANTS).flatMap(v -> java.util.stream.Stream.of(
                Arguments.of(v, ProductPrecision.BF16), Arguments.of(v, ProductPrecision.BF16_DOT)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void bf16HeadsStayCloseToTheReference(String variant, ProductPrecision precision) {
        if (precision == ProductPrecision.BF16_DOT) {
            Bf16DotLibrary.require();
        }
        Path dir = Golden.dir(variant);
        JsonNode expected = Json.read(dir.resolve("expected/expected.json"));
        double worstRel = 0;
        double worstLogit = 0;
        double worstCast = 0;
        try (NDManager nd = NDManager.newBaseManager("PyTorch");
                HypernetCheckpoint ckpt = HypernetCheckpoint.load(dir, LoadOptions.defaults(), nd);
                Transformer model = Transformer.load(Shared.golden("mistral"));
                SafetensorsFile logits = SafetensorsFile.open(dir.resolve("expected/logits.safetensors"))) {
            HyperModulator h = ckpt.hypernet();
            for (int t = 0; t < 3; t++) {
                float[] emb = Golden.embedding(variant, t, "task_emb");
                h.headPrecision(ProductPrecision.F32);
                LoraWeights f32 = h.generate(emb);
                h.headPrecision(precision);
                LoraWeights bf16 = h.generate(emb);
                for (var e : f32.pairs().entrySet()) {
                    LoraWeights.Pair got = bf16.pairs().get(e.getKey());
                    worstRel = Math.max(worstRel, relative(e.getValue().a(), got.a()));
                    worstRel = Math.max(worstRel, relative(e.getValue().b(), got.b()));
                }
                for (int j = 0; j < 2; j++) {
                    JsonNode idsJson = expected.get("input_ids").get("seq" + j);
                    int[] ids = new int[idsJson.size()];
                    for (int i = 0; i < ids.length; i++) {
                        ids[i] = idsJson.get(i).asInt();
                    }
                    FloatTensor want = logits.read("task" + t + "_logits_" + j);
                    worstLogit = Math.max(worstLogit, logitDelta(nd, model, bf16, ids, want));
                    worstCast = Math.max(worstCast, logitDelta(nd, model, roundedToBf16(f32), ids, want));
                }
            }
        }
        System.out.printf("%-7s heads %-24s adapters max|Δ|/max|x| %.3g; logits max|Δ| vs reference %.3g (the float32"
                + " adapter cast to bf16: %.3g)%n", precision.label(), variant, worstRel, worstLogit, worstCast);
        assertTrue(worstRel > 0, variant + ": bf16 heads gave the float32 adapters exactly: was anything rounded?");
        Bounds bounds = Bounds.of(precision);
        assertTrue(worstRel <= bounds.adapterRel(), variant + ": adapters moved by " + worstRel + " of their scale");
        assertTrue(worstLogit <= bounds.logitsAtol()
                && worstLogit <= bounds.logitsVsCast() * Math.max(worstCast, 1e-4), variant + ": logits moved by "
                + worstLogit + " (the adapter cast to bf16: " + worstCast + ")");
    }

    private static double logitDelta(NDManager nd, Transformer model, LoraWeights adapter, int[] ids, FloatTensor want) {
        try (LoraBatch lora = LoraBatch.shared(nd, adapter)) {
            float[] got = model.logits(ids, lora).data();
            double worst = 0;
            for (int i = 0; i < got.length; i++) {
                worst = Math.max(worst, Math.abs(got[i] - want.data()[i]));
            }
            return worst;
        }
    }

    /** The adapter with every value rounded to bfloat16 (nearest even) and widened back. */
    private static LoraWeights roundedToBf16(LoraWeights w) {
        java.util.Map<LoraWeights.Site, LoraWeights.Pair> pairs = new java.util.LinkedHashMap<>();
        w.pairs().forEach((site, p) -> pairs.put(site, new LoraWeights.Pair(round(p.a()), round(p.b()))));
        return new LoraWeights(w.config(), pairs);
    }

    private static FloatTensor round(FloatTensor t) {
        float[] d = t.data().clone();
        for (int i = 0; i < d.length; i++) {
            d[i] = Float.intBitsToFloat((ai.t2l.io.Half.bf16FromFloat(d[i]) & 0xFFFF) << 16);
        }
        return new FloatTensor(d, t.shape());
    }

    private static double relative(FloatTensor want, FloatTensor got) {
        double max = 0;
        double diff = 0;
        for (int i = 0; i < want.data().length; i++) {
            max = Math.max(max, Math.abs(want.data()[i]));
            diff = Math.max(diff, Math.abs(want.data()[i] - got.data()[i]));
        }
        return max == 0 ? diff : diff / max;
    }
}
