package ai.t2l.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.Shared;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.SafetensorsFile;
import ai.t2l.io.SafetensorsWriter;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraBatch;
import ai.t2l.lora.LoraConfig;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad models and adapters: one T2lException naming the file and the tensor or field, never a JVM abort. */
class BadInputTest {
    @TempDir
    Path tmp;

    /** A refused merge must not have touched the shared golden models (issue 13.6). */
    @AfterAll
    static void sharedModelsAreUntouched() {
        Golden.assertCachedModelsUntouched();
    }

    static void assertMessage(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message should contain '" + p + "': " + e.getMessage());
        }
    }

    /** A copy of the golden llama folder whose tensors and config.json went through {@code edit}. */
    Path llamaCopy(Consumer<Map<String, FloatTensor>> edit, Function<String, String> editConfig) throws IOException {
        Path src = Shared.golden("llama");
        Path dir = tmp.resolve("model");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), editConfig.apply(Files.readString(src.resolve("config.json"))));
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(src.resolve("model.safetensors"))) {
            f.names().forEach(n -> tensors.put(n, f.read(n)));
        }
        edit.accept(tensors);
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        return dir;
    }

    @Test
    void unknownModelType() throws IOException {
        Path dir = llamaCopy(t -> {}, c -> c.replace("\"model_type\": \"llama\"", "\"model_type\": \"gpt2\""));
        T2lException e = assertThrows(T2lException.class, () -> Transformer.load(dir));
        assertMessage(e, dir.resolve("config.json").toString(), "model_type", "gpt2", "llama");
    }

    @Test
    void nonExistentPath() {
        Path dir = tmp.resolve("no-such-model");
        T2lException e = assertThrows(T2lException.class, () -> Transformer.load(dir));
        assertMessage(e, dir.toString(), "no such");
    }

    @Test
    void missingTensor() throws IOException {
        String name = "model.layers.1.mlp.up_proj.weight";
        Path dir = llamaCopy(t -> t.remove(name), c -> c);
        T2lException e = assertThrows(T2lException.class, () -> Transformer.load(dir));
        assertMessage(e, dir.toString(), "missing tensor", name, "[160, 64]");
    }

    @Test
    void tensorWithWrongShape() throws IOException {
        String name = "model.layers.0.self_attn.k_proj.weight";
        Path dir = llamaCopy(t -> t.put(name, new FloatTensor(new float[64 * 64], new long[] {64, 64})), c -> c);
        T2lException e = assertThrows(T2lException.class, () -> Transformer.load(dir));
        assertMessage(e, dir.resolve("model.safetensors").toString(), name, "[64, 64]", "expected [32, 64]");
    }

    @Test
    void unsupportedActivation() throws IOException {
        Path dir = llamaCopy(t -> {}, c -> c.replace("\"silu\"", "\"relu2\""));
        T2lException e = assertThrows(T2lException.class, () -> Transformer.load(dir));
        assertMessage(e, "hidden_act", "relu2");
    }

    @Test
    void adapterWhoseShapesDoNotFit() {
        // llama_all was made for intermediate_size 160; the mistral model has 192.
        Path adapterDir = Shared.golden("peft", "llama_all", "adapter");
        LoraWeights adapter = PeftAdapter.read(adapterDir);
        Transformer mistral = Golden.MISTRAL.model();
        T2lException e = assertThrows(T2lException.class, () -> mistral.merge(adapter, adapterDir.toString()));
        assertMessage(e, adapterDir.toString(), "mlp.", "lora_", "expected");
        try (LoraBatch lora = LoraBatch.shared(mistral.manager(), adapter)) {
            T2lException e2 = assertThrows(T2lException.class, () -> mistral.logits(new int[] {1, 2}, lora));
            assertMessage(e2, "down_proj maps 160 -> 64", "the model's maps 192 -> 64");
        }
        mistral.logits(new int[] {1, 2}, null); // the model is untouched and still runs
    }

    @Test
    void adapterForALayerTheModelDoesNotHave() {
        ModelConfig c = Golden.LLAMA.model().config();
        LoraWeights ok = LoraFixtures.random(c, 2, 4, false, 1, 0.1f);
        Map<LoraWeights.Site, LoraWeights.Pair> pairs = new LinkedHashMap<>(ok.pairs());
        pairs.put(new LoraWeights.Site(5, "q_proj"), ok.get(0, "q_proj"));
        LoraWeights bad = new LoraWeights(ok.config(), pairs);
        T2lException e = assertThrows(T2lException.class, () -> AdapterCheck.check(c, bad, "adapter.safetensors"));
        assertMessage(e, "adapter.safetensors", "layers.5.self_attn.q_proj", "2 layers");
        T2lException e2 = assertThrows(T2lException.class, () -> Golden.LLAMA.model().merge(bad, "x"));
        assertMessage(e2, "layer 5");
    }

    @Test
    void adapterForAModuleTheModelDoesNotHave() {
        ModelConfig c = Golden.LLAMA.model().config();
        LoraWeights ok = LoraFixtures.random(c, 2, 4, false, 1, 0.1f);
        LoraWeights bad = new LoraWeights(new LoraConfig(2, 4, false, 0, List.of("lm_head")),
                Map.of(new LoraWeights.Site(0, "lm_head"), ok.get(0, "q_proj")));
        T2lException e = assertThrows(T2lException.class, () -> AdapterCheck.check(c, bad, "adapter.safetensors"));
        assertMessage(e, "adapter.safetensors", "unknown module 'lm_head'", "q_proj");
    }

    @Test
    void tokenIdOutsideTheVocabulary() {
        T2lException e = assertThrows(T2lException.class, () -> Golden.LLAMA.model().logits(new int[] {1, 320}, null));
        assertMessage(e, "token id 320", "position 1", "[0, 320)");
    }
}
