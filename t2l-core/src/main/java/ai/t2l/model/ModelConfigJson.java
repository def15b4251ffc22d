package ai.t2l.model;

import ai.t2l.io.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The inverse of {@link ModelConfig#parse}: a Hugging Face config.json (transformers 4.46 field names) that parses
 * back to the same record, so a model we train is a model folder every HF tool can read.
 */
public final class ModelConfigJson {
    private ModelConfigJson() {}

    public static ObjectNode of(ModelConfig c) {
        boolean gemma = c.family() == Family.GEMMA2;
        ObjectNode j = Json.MAPPER.createObjectNode();
        j.putArray("architectures").add(architecture(c.family()));
        j.put("model_type", c.family().modelType);
        j.put("vocab_size", c.vocabSize());
        j.put("hidden_size", c.hiddenSize());
        j.put("intermediate_size", c.intermediateSize());
        j.put("num_hidden_layers", c.numLayers());
        j.put("num_attention_heads", c.numHeads());
        j.put("num_key_value_heads", c.numKvHeads());
        j.put("head_dim", c.headDim());
        j.put("rms_norm_eps", c.rmsNormEps());
        j.put("rope_theta", c.ropeTheta());
        if (c.ropeScaling() != null) {
            RopeScaling r = c.ropeScaling();
            j.putObject("rope_scaling").put("rope_type", r.type()).put("factor", r.factor())
                    .put("low_freq_factor", r.lowFreqFactor()).put("high_freq_factor", r.highFreqFactor())
                    .put("original_max_position_embeddings", r.originalMaxPositionEmbeddings());
        }
        j.put("max_position_embeddings", c.maxPositionEmbeddings());
        j.put("tie_word_embeddings", c.tieWordEmbeddings());
        if (c.family() != Family.QWEN2) { // Qwen2 always has q/k/v biases and no such field
            j.put("attention_bias", c.attentionBias());
        }
        j.put("mlp_bias", c.mlpBias());
        j.put(gemma ? "hidden_activation" : "hidden_act", c.hiddenAct());
        if (c.family() == Family.MISTRAL || gemma) {
            if (c.slidingWindow() == null) {
                j.putNull("sliding_window");
            } else {
                j.put("sliding_window", c.slidingWindow());
            }
        }
        if (c.family() == Family.QWEN2) {
            j.put("use_sliding_window", false);
        }
        if (gemma) {
            j.put("query_pre_attn_scalar", c.queryPreAttnScalar());
            putNullable(j, "attn_logit_softcapping", c.attnLogitSoftcap());
            putNullable(j, "final_logit_softcapping", c.finalLogitSoftcap());
        }
        if (c.bosTokenId() != null) {
            j.put("bos_token_id", c.bosTokenId());
        }
        if (c.eosTokenIds().size() == 1) {
            j.put("eos_token_id", c.eosTokenIds().get(0));
        } else if (!c.eosTokenIds().isEmpty()) {
            ArrayNode a = j.putArray("eos_token_id");
            c.eosTokenIds().forEach(a::add);
        }
        if (c.padTokenId() != null) {
            j.put("pad_token_id", c.padTokenId());
        }
        j.put("torch_dtype", "float32");
        return j;
    }

    private static void putNullable(ObjectNode j, String field, Double v) {
        if (v == null) {
            j.putNull(field);
        } else {
            j.put(field, v);
        }
    }

    private static String architecture(Family f) {
        return switch (f) {
            case LLAMA -> "LlamaForCausalLM";
            case MISTRAL -> "MistralForCausalLM";
            case GEMMA2 -> "Gemma2ForCausalLM";
            case QWEN2 -> "Qwen2ForCausalLM";
        };
    }
}
