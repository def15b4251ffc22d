package ai.t2l.embed;

import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The forward-relevant fields of a "NewModel" config.json (model_type "new": Alibaba-NLP/new-impl, the
 * architecture of gte-large-en-v1.5, the reference's description encoder; fixtures/golden/gte_new/README.md).
 * Options the released encoder does not use (unpadded/xformers attention changes nothing; logn attention scaling,
 * other position embeddings, RMS norms, separate q/k/v) are refused by name rather than computed wrongly.
 */
public record NewModelConfig(int vocabSize, int hiddenSize, int numLayers, int numHeads, int intermediateSize,
        int typeVocabSize, double layerNormEps, double ropeTheta, double ntkFactor, int maxPositions) {

    public int headDim() {
        return hiddenSize / numHeads;
    }

    /** True when {@code dir/config.json} declares model_type "new" (a gte-v1.5 style encoder folder). */
    public static boolean isNewModel(Path dir) {
        Path f = dir.resolve("config.json");
        if (!Files.isRegularFile(f)) {
            return false;
        }
        return "new".equals(Json.read(f).path("model_type").asText());
    }

    public static NewModelConfig read(Path dir) {
        Path f = dir.resolve("config.json");
        if (!Files.isRegularFile(f)) {
            throw new T2lException(dir + ": no config.json (a NewModel encoder folder as downloaded from Hugging Face"
                    + " holds config.json, model.safetensors and tokenizer.json)");
        }
        JsonNode c = Json.read(f);
        String where = f.toString();
        if (!"new".equals(c.path("model_type").asText())) {
            throw new T2lException(where + ": model_type must be \"new\" (gte-v1.5 NewModel), found "
                    + c.path("model_type"));
        }
        expect(c, where, "position_embedding_type", "rope");
        expect(c, where, "layer_norm_type", "layer_norm");
        expect(c, where, "hidden_act", "gelu");
        if (c.has("pack_qkv") && !c.get("pack_qkv").asBoolean()) {
            throw new T2lException(where + ": pack_qkv false (separate q/k/v projections) is not supported");
        }
        if (c.path("logn_attention_scale").asBoolean(false)) {
            throw new T2lException(where + ": logn_attention_scale true is not supported");
        }
        JsonNode rs = c.get("rope_scaling");
        double factor = 1.0;
        if (rs != null && !rs.isNull()) {
            String type = rs.path("type").asText();
            if (!type.equals("ntk")) {
                throw new T2lException(where + ": rope_scaling type \"" + type + "\" is not supported (expected \"ntk\")");
            }
            if (rs.has("mixed_b") && !rs.get("mixed_b").isNull()) {
                throw new T2lException(where + ": rope_scaling mixed_b is not supported");
            }
            factor = rs.path("factor").asDouble(1.0);
        }
        NewModelConfig n = new NewModelConfig(positive(c, where, "vocab_size"), positive(c, where, "hidden_size"),
                positive(c, where, "num_hidden_layers"), positive(c, where, "num_attention_heads"),
                positive(c, where, "intermediate_size"), c.path("type_vocab_size").asInt(2),
                c.path("layer_norm_eps").asDouble(1e-12), c.path("rope_theta").asDouble(10000.0), factor,
                c.path("max_position_embeddings").asInt(8192));
        if (n.hiddenSize % n.numHeads != 0 || n.headDim() % 2 != 0) {
            throw new T2lException(where + ": hidden_size " + n.hiddenSize + " must split into "
                    + n.numHeads + " heads of an even size");
        }
        return n;
    }

    private static void expect(JsonNode c, String where, String field, String value) {
        if (c.has(field) && !c.get(field).asText().equals(value)) {
            throw new T2lException(where + ": " + field + " \"" + c.get(field).asText() + "\" is not supported (expected \""
                    + value + "\")");
        }
    }

    private static int positive(JsonNode c, String where, String field) {
        JsonNode n = c.get(field);
        if (n == null || !n.canConvertToInt() || n.asInt() <= 0) {
            throw new T2lException(where + ": field " + field + " must be a positive integer, found " + n);
        }
        return n.asInt();
    }
}
