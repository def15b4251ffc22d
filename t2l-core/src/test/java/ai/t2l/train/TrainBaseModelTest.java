package ai.t2l.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.io.FloatTensor;
import ai.t2l.io.Json;
import ai.t2l.model.ModelConfig;
import ai.t2l.model.ModelConfigJson;
import ai.t2l.model.ModelFolder;
import ai.t2l.model.Transformer;
import ai.t2l.train.data.PreparedTask;
import ai.t2l.train.run.RunFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Full-parameter training of the runtime Transformer, and the HF model folder it writes. */
class TrainBaseModelTest {
    @TempDir
    Path tmp;

    static ModelConfig tiny(String modelType) {
        var j = Json.MAPPER.createObjectNode().put("model_type", modelType).put("vocab_size", Toy.VOCAB)
                .put("hidden_size", 32).put("intermediate_size", 64).put("num_hidden_layers", 2)
                .put("num_attention_heads", 4).put("num_key_value_heads", 2).put("head_dim", 8)
                .put("max_position_embeddings", 64).put("eos_token_id", 3).put("bos_token_id", 1);
        return ModelConfig.parse(j, "tiny " + modelType);
    }

    static BaseModelTrainer.Config config(long steps, int checkpointEvery) {
        return new BaseModelTrainer.Config(new OptimConfig(3e-3, 1e-2, 0.1, 1.0), 8, 1, 1, steps, 0, 0, 0,
                checkpointEvery, 42);
    }

    static RunFolder folder(Path dir, boolean resume) {
        return RunFolder.open(dir, "base", Json.MAPPER.createObjectNode().put("seed", 42), Map.of(), resume);
    }

    @Test
    void trainingAFreshModelLowersItsLossAndWritesALoadableFolder() throws Exception {
        List<PreparedTask> tasks = TrainSftTest.tasks();
        List<Double> losses = new ArrayList<>();
        TrainListener record = new TrainListener() {
            @Override
            public void onStep(long step, long total, double loss, double lr, double tps) {
                losses.add(loss);
            }
        };
        Path tokDir = Files.createDirectories(tmp.resolve("tok"));
        Files.writeString(tokDir.resolve("tokenizer.json"), "{\"stand-in\": true}");
        try (Transformer model = BaseModels.fresh(tiny("llama"), 5)) {
            FloatTensor before = model.logits(new int[] {1, 5, 6, 3, 2}, null);
            BaseModelTrainer.Result r = BaseModelTrainer.train(model, tasks, config(40, 20), 0,
                    folder(tmp.resolve("run"), false), tokDir, record);
            // uniform over 32 tokens is ln 32 = 3.47; the shared response structure (header, ?b?b, end) is learnable
            double first = losses.subList(0, 5).stream().mapToDouble(d -> d).average().orElseThrow();
            double last = losses.subList(35, 40).stream().mapToDouble(d -> d).average().orElseThrow();
            assertTrue(first > 3.0 && last < 0.5 * first, "base-model loss " + first + " -> " + last);

            assertFalse(model.parameters().values().iterator().next().hasGradient(), "weights left trainable");
            int[] ids = {1, 5, 6, 3, 2, 9};
            FloatTensor trained = model.logits(ids, null);
            assertFalse(java.util.Arrays.equals(before.data(), model.logits(new int[] {1, 5, 6, 3, 2}, null).data()),
                    "training changed nothing");
            assertEquals(r.modelDir(), tmp.resolve("run").resolve("model"));
            assertEquals("{\"stand-in\": true}", Files.readString(r.modelDir().resolve("tokenizer.json")));
            try (Transformer loaded = Transformer.load(r.modelDir())) {
                assertArrayEquals(trained.data(), loaded.logits(ids, null).data(), 0f, "logits after save -> load");
            }
        }
    }

    @Test
    void resumedBaseRunEndsWithBitIdenticalWeights() {
        List<PreparedTask> tasks = TrainSftTest.tasks();
        try (Transformer a = BaseModels.fresh(tiny("llama"), 5); Transformer b = BaseModels.fresh(tiny("llama"), 5)) {
            BaseModelTrainer.train(a, tasks, config(10, 3), 0, folder(tmp.resolve("full"), false), null,
                    TrainListener.NONE);
            TrainListener killer = new TrainListener() {
                @Override
                public void onStep(long step, long total, double loss, double lr, double tps) {
                    if (step == 5) {
                        throw new IllegalStateException("killed");
                    }
                }
            };
            Path dir = tmp.resolve("killed");
            assertThrows(IllegalStateException.class, () -> BaseModelTrainer.train(b, tasks, config(10, 3), 0,
                    folder(dir, false), null, killer));
            BaseModelTrainer.train(b, tasks, config(10, 3), 0, folder(dir, true), null, TrainListener.NONE);
            Map<String, FloatTensor> wa = a.stateDict();
            Map<String, FloatTensor> wb = b.stateDict();
            wa.forEach((name, t) -> assertArrayEquals(t.data(), wb.get(name).data(), 0f, name));
        }
    }

    /** Save → load gives the same logits bit for bit, for every family (Gemma's 1 + w norm offset included). */
    @ParameterizedTest
    @ValueSource(strings = {"llama", "mistral", "qwen2", "gemma2"})
    void savedFolderLoadsToTheSameModel(String family) {
        ModelConfig c = tiny(family);
        assertEquals(c, ModelConfig.parse(ModelConfigJson.of(c), "written config"));
        int[] ids = {1, 4, 9, 12, 3};
        try (Transformer model = BaseModels.fresh(c, 11)) {
            Path dir = tmp.resolve(family);
            ModelFolder.write(dir, model, null, null, false);
            try (Transformer loaded = Transformer.load(dir)) {
                assertArrayEquals(model.logits(ids, null).data(), loaded.logits(ids, null).data(), 0f, family);
            }
        }
    }

    @Test
    void freshModelsAreSeeded() {
        try (Transformer a = BaseModels.fresh(tiny("llama"), 1); Transformer b = BaseModels.fresh(tiny("llama"), 1);
                Transformer c = BaseModels.fresh(tiny("llama"), 2)) {
            String w = "model.layers.0.self_attn.q_proj.weight";
            assertArrayEquals(a.stateDict().get(w).data(), b.stateDict().get(w).data(), 0f);
            assertFalse(java.util.Arrays.equals(a.stateDict().get(w).data(), c.stateDict().get(w).data()));
            // uniform with std 0.02 has bound 0.02·√3 = 0.0346
            for (float v : a.stateDict().get(w).data()) {
                assertTrue(Math.abs(v) <= 0.0347f, "init value " + v);
            }
        }
    }
}
