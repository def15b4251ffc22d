package ai.t2l.model;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.t2l.compute.F32Matrix;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.Json;
import ai.t2l.lora.LoraBatch;
import ai.t2l.lora.LoraConfig;
import ai.t2l.lora.LoraWeights;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Batched decode's panel copies of float32 matrices (F32Matrix) inside a model: the same logits as the engine's
 * products, and never stale after the weights are written in place (merge, unmerge, training's parameters).
 */
class F32PanelsModelTest {
    private static final int[][] FOUR_ROWS = {{5}, {17}, {230}, {99}};
    /** A prompt of more rows than the Java path's default 16: the engine, or the panels with prefill on them. */
    private static final int[][] PROMPT = {java.util.stream.IntStream.range(0, 24).map(i -> (i * 37 + 11) % 300)
            .toArray()};

    @Test
    void batchedProductsFollowMergesUnmergesAndWritesInPlace() {
        assumeTrue(F32Matrix.panelsPayHere(), "panel copies need a vector kernel for the head tile");
        ModelConfig c = ModelConfig.parse(Json.MAPPER.createObjectNode().put("model_type", "llama")
                .put("vocab_size", 300).put("hidden_size", 64).put("intermediate_size", 128)
                .put("num_hidden_layers", 2).put("num_attention_heads", 4).put("num_key_value_heads", 2)
                .put("max_position_embeddings", 64).put("hidden_act", "silu"), "panel llama");
        // built with the Java path allowed on matrices of any size, so the model allows its panel copies
        try (Transformer model = F32Matrix.withJavaRows(16, () -> Transformer.create(c, new RandomWeights(c, 3, 0.3)))) {
            float[] base = java(model, null);
            assertClose(logits(model, FOUR_ROWS, 0), base, 1e-4f, "panels against the engine's products");
            assertClose(logits(model, PROMPT, 0), logits(model, PROMPT, 16), 1e-4f, "a 24-token prompt");
            LoraWeights adapter = adapter(c);
            float[] unmerged;
            try (LoraBatch lora = LoraBatch.shared(model.manager(), adapter)) {
                unmerged = java(model, lora);
            }
            assertTrue(maxDiff(base, unmerged) > 1e-2, "the adapter changes the logits");
            try (Transformer.Merged merged = model.merge(adapter, "test")) {
                assertClose(unmerged, java(model, null), 1e-4f, "merged weights, batched");
            }
            assertClose(base, java(model, null), 1e-4f, "unmerged again, batched");
            NDArray up = model.parameters().get("model.layers.0.mlp.up_proj.weight");
            up.addi(up.getManager().ones(up.getShape()).mul(0.05f));
            float[] written = java(model, null);
            assertTrue(maxDiff(base, written) > 1e-2, "the write changes the logits");
            assertClose(logits(model, FOUR_ROWS, 0), written, 1e-4f, "after a write through parameters()");
        }
    }

    private static float[] java(Transformer model, LoraBatch lora) {
        return F32Matrix.withJavaRows(16, () -> logits(model, FOUR_ROWS, lora));
    }

    /** The logits of ids with the Java path for up to javaRows rows (0: the engine's products only). */
    private static float[] logits(Transformer model, int[][] ids, int javaRows) {
        return F32Matrix.withJavaRows(javaRows, () -> logits(model, ids, null));
    }

    private static float[] logits(Transformer model, int[][] ids, LoraBatch lora) {
        try (NDManager scope = model.manager().newSubManager()) {
            ForwardInput in = ForwardInput.of(ids);
            return model.forward(scope, lora == null ? in : in.withLora(lora)).logits().toFloatArray();
        }
    }

    private static LoraWeights adapter(ModelConfig c) {
        Random r = new Random(5);
        Map<LoraWeights.Site, LoraWeights.Pair> pairs = new LinkedHashMap<>();
        for (int l = 0; l < c.numLayers(); l++) {
            for (String m : List.of("q_proj", "v_proj")) {
                pairs.put(new LoraWeights.Site(l, m), new LoraWeights.Pair(random(r, 4, (int) c.inFeatures(m)),
                        random(r, (int) c.outFeatures(m), 4)));
            }
        }
        return new LoraWeights(new LoraConfig(4, 8, false, 0, List.of("q_proj", "v_proj")), pairs);
    }

    private static FloatTensor random(Random r, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian() * 0.3f;
        }
        return new FloatTensor(v, new long[] {rows, cols});
    }

    private static float maxDiff(float[] a, float[] b) {
        float d = 0f;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    private static void assertClose(float[] want, float[] got, float tol, String what) {
        float d = maxDiff(want, got);
        assertTrue(d <= tol, what + ": max |diff| " + d);
    }
}
