package ai.t2l.model;

import ai.t2l.io.AtomicFiles;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.Json;
import ai.t2l.io.SafetensorsWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Hugging Face model folder ({@code config.json} + {@code model.safetensors}) holding {@link RandomWeights}: tiny
 * models for tests and benchmarks that load through exactly the code real folders do. The tokenizer files are the
 * caller's (e.g. the miniature's character tokenizer).
 */
public final class RandomModelFolder {
    private RandomModelFolder() {}

    /** A Llama config.json (untied embeddings, SiLU, rope theta 10000) as HF writes it. */
    public static ObjectNode llamaConfig(int vocab, int hidden, int layers, int heads, int kvHeads, int intermediate) {
        return Json.MAPPER.createObjectNode().put("model_type", "llama")
                .put("vocab_size", vocab).put("hidden_size", hidden).put("intermediate_size", intermediate)
                .put("num_hidden_layers", layers).put("num_attention_heads", heads).put("num_key_value_heads", kvHeads)
                .put("rms_norm_eps", 1e-5).put("rope_theta", 10000.0).put("max_position_embeddings", 4096)
                .put("tie_word_embeddings", false).put("hidden_act", "silu");
    }

    /** Writes {@code config} and seeded random weights (std {@code std}) into {@code dir}, each file atomically. */
    public static ModelConfig write(Path dir, ObjectNode config, long seed, double std) {
        ModelConfig c = ModelConfig.parse(config, dir.resolve("config.json").toString());
        RandomWeights w = new RandomWeights(c, seed, std);
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        for (String name : w.names()) {
            tensors.put(name, w.read(name));
        }
        AtomicFiles.writeString(dir.resolve("config.json"), Json.write(config) + "\n");
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        return c;
    }
}
