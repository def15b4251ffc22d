package ai.t2l.model;

import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A decoder-only transformer's shape and numerics, read from a Hugging Face {@code config.json}. Field names are
 * translated from HF here and only here; family defaults follow transformers 4.46's config classes.
 *
 * @param slidingWindow  null when attention is global everywhere
 * @param slidingWindowEveryOtherLayer Gemma 2: even layers (0, 2, ...) use the window, odd layers are global
 * @param queryPreAttnScalar Gemma 2: attention scale is this^-0.5 instead of headDim^-0.5 (null otherwise)
 * @param attnLogitSoftcap   Gemma 2: cap*tanh(scores/cap) before the mask (null otherwise)
 * @param finalLogitSoftcap  Gemma 2: cap*tanh(logits/cap) (null otherwise)
 */
public record ModelConfig(
        Family family,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        int maxPositionEmbeddings,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        boolean mlpBias,
        String hiddenAct,
        Integer slidingWindow,
        boolean slidingWindowEveryOtherLayer,
        Double queryPreAttnScalar,
        Double attnLogitSoftcap,
        Double finalLogitSoftcap,
        Integer bosTokenId,
        List<Integer> eosTokenIds,
        Integer padTokenId) {

    public static ModelConfig read(Path modelDir) {
        Path file = modelDir.resolve("config.json");
        if (!Files.isDirectory(modelDir)) {
            throw new T2lException(modelDir + ": no such model folder");
        }
        if (!Files.exists(file)) {
            throw new T2lException(modelDir + ": missing config.json (not a Hugging Face model folder?)");
        }
        ModelConfig c = parse(Json.read(file), file.toString());
        Path gen = modelDir.resolve("generation_config.json");
        if (Files.exists(gen)) {
            List<Integer> eos = ids(Json.read(gen).get("eos_token_id"));
            if (!eos.isEmpty()) {
                c = c.withEos(eos);
            }
        }
        return c;
    }

    public static ModelConfig parse(JsonNode j, String source) {
        String type = j.path("model_type").asText(null);
        Family family = Family.of(type);
        if (family == null) {
            throw new T2lException(source + ": field 'model_type' is '" + type + "'; supported: " + Family.known());
        }
        Fields f = new Fields(j, source);
        int hidden = f.requireInt("hidden_size");
        int heads = f.requireInt("num_attention_heads");
        int headDim = j.hasNonNull("head_dim") ? f.requireInt("head_dim")
                : family == Family.GEMMA2 ? 256 : hidden / heads;
        boolean gemma = family == Family.GEMMA2;
        Integer window = null;
        if (family == Family.MISTRAL || gemma) {
            // (an int/Integer ternary would unbox the null of Mistral's "sliding_window": null)
            window = j.hasNonNull("sliding_window") ? Integer.valueOf(f.requireInt("sliding_window"))
                    : gemma ? Integer.valueOf(4096) : null;
        } else if (family == Family.QWEN2 && j.path("use_sliding_window").asBoolean(false)) {
            throw new T2lException(source + ": field 'use_sliding_window' is true; Qwen2 sliding-window layers are not supported");
        }
        return new ModelConfig(
                family,
                f.requireInt("vocab_size"),
                hidden,
                f.requireInt("intermediate_size"),
                f.requireInt("num_hidden_layers"),
                heads,
                j.hasNonNull("num_key_value_heads") ? f.requireInt("num_key_value_heads") : heads,
                headDim,
                j.path("rms_norm_eps").asDouble(gemma ? 1e-6 : 1e-6),
                j.path("rope_theta").asDouble(10000.0),
                ropeScaling(j.get("rope_scaling"), source),
                j.path("max_position_embeddings").asInt(4096),
                j.path("tie_word_embeddings").asBoolean(gemma),
                family == Family.QWEN2 || j.path("attention_bias").asBoolean(false),
                j.path("mlp_bias").asBoolean(false),
                j.path(gemma ? "hidden_activation" : "hidden_act").asText(gemma ? "gelu_pytorch_tanh" : "silu"),
                window,
                gemma,
                gemma ? j.path("query_pre_attn_scalar").asDouble(256) : null,
                gemma && j.hasNonNull("attn_logit_softcapping") ? j.get("attn_logit_softcapping").asDouble() : null,
                gemma && j.hasNonNull("final_logit_softcapping") ? j.get("final_logit_softcapping").asDouble() : null,
                j.hasNonNull("bos_token_id") ? j.get("bos_token_id").asInt() : null,
                ids(j.get("eos_token_id")),
                j.hasNonNull("pad_token_id") ? j.get("pad_token_id").asInt() : null);
    }

    private static RopeScaling ropeScaling(JsonNode n, String source) {
        if (n == null || n.isNull()) {
            return null;
        }
        String type = n.path("rope_type").asText(n.path("type").asText(""));
        if (type.equals("default")) {
            return null;
        }
        if (!type.equals("llama3")) {
            throw new T2lException(source + ": field 'rope_scaling.rope_type' is '" + type + "'; supported: llama3, default");
        }
        return new RopeScaling(type, n.path("factor").asDouble(8), n.path("low_freq_factor").asDouble(1),
                n.path("high_freq_factor").asDouble(4), n.path("original_max_position_embeddings").asInt(8192));
    }

    private static List<Integer> ids(JsonNode n) {
        List<Integer> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (n.isArray()) {
            n.forEach(x -> out.add(x.asInt()));
        } else {
            out.add(n.asInt());
        }
        return out;
    }

    private ModelConfig withEos(List<Integer> eos) {
        return new ModelConfig(family, vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads,
                headDim, rmsNormEps, ropeTheta, ropeScaling, maxPositionEmbeddings, tieWordEmbeddings, attentionBias,
                mlpBias, hiddenAct, slidingWindow, slidingWindowEveryOtherLayer, queryPreAttnScalar, attnLogitSoftcap,
                finalLogitSoftcap, bosTokenId, List.copyOf(eos), padTokenId);
    }

    /** Whether layer {@code layer} attends through the sliding window (Gemma 2 alternates, Mistral uses it everywhere). */
    public boolean isSlidingLayer(int layer) {
        return slidingWindow != null && (!slidingWindowEveryOtherLayer || layer % 2 == 0);
    }

    /** Input width of a projection that LoRA can adapt. */
    public int inFeatures(String module) {
        return switch (module) {
            case "q_proj", "k_proj", "v_proj", "gate_proj", "up_proj" -> hiddenSize;
            case "o_proj" -> numHeads * headDim;
            case "down_proj" -> intermediateSize;
            default -> throw new T2lException("unknown projection '" + module + "'");
        };
    }

    /** Output width of a projection that LoRA can adapt. */
    public int outFeatures(String module) {
        return switch (module) {
            case "q_proj" -> numHeads * headDim;
            case "k_proj", "v_proj" -> numKvHeads * headDim;
            case "o_proj", "down_proj" -> hiddenSize;
            case "gate_proj", "up_proj" -> intermediateSize;
            default -> throw new T2lException("unknown projection '" + module + "'");
        };
    }

    /** Reads required integer fields with errors that name the file and field. */
    private record Fields(JsonNode j, String source) {
        int requireInt(String name) {
            JsonNode n = j.get(name);
            if (n == null || n.isNull()) {
                throw new T2lException(source + ": missing field '" + name + "'");
            }
            if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() <= 0) {
                throw new T2lException(source + ": field '" + name + "' must be a positive integer, found " + n);
            }
            return n.asInt();
        }
    }
}
