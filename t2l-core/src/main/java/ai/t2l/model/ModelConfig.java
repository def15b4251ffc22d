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
            List<Integer> eos = ids(Json.read(gen).get("eos_token_id"), "eos_token_id", c.vocabSize(), gen.toString());
            if (!eos.isEmpty()) {
                c = c.withEos(eos);
            }
        }
        return c;
    }

    // Upper bounds: far above every released model (vocab 262k, hidden 18k, MLP 53k, 126 layers, 128 heads,
    // head_dim 256, 10M context); anything larger is a typo or a hostile file, and would only hang or overflow.
    static final int MAX_VOCAB = 1 << 24;
    static final int MAX_HIDDEN = 1 << 16;
    static final int MAX_INTERMEDIATE = 1 << 18;
    static final int MAX_LAYERS = 1024;
    static final int MAX_HEADS = 1024;
    static final int MAX_HEAD_DIM = 4096;
    static final int MAX_POSITIONS = 1 << 26;

    /**
     * Every field is type- and range-checked here, before anything is derived from it (issue 10 item 7); family
     * defaults follow transformers 4.46.
     */
    public static ModelConfig parse(JsonNode j, String source) {
        if (!j.isObject()) {
            throw new T2lException(source + ": expected a JSON object, found " + j.getNodeType());
        }
        ConfigFields f = new ConfigFields(j, source);
        String type = f.text("model_type", null);
        Family family = Family.of(type);
        if (family == null) {
            throw new T2lException(source + ": field 'model_type' is '" + type + "'; supported: " + Family.known());
        }
        boolean gemma = family == Family.GEMMA2;
        int vocab = f.integer("vocab_size", 1, MAX_VOCAB);
        int hidden = f.integer("hidden_size", 1, MAX_HIDDEN);
        int intermediate = f.integer("intermediate_size", 1, MAX_INTERMEDIATE);
        int layers = f.integer("num_hidden_layers", 1, MAX_LAYERS);
        int heads = f.integer("num_attention_heads", 1, MAX_HEADS);
        int kvHeads = f.integer("num_key_value_heads", 1, heads, heads);
        if (heads % kvHeads != 0) {
            throw new T2lException(source + ": field 'num_attention_heads' (" + heads + ") must be a multiple of "
                    + "'num_key_value_heads' (" + kvHeads + ")");
        }
        Integer derivedHeadDim = gemma ? Integer.valueOf(256) : Integer.valueOf(hidden / heads);
        int headDim = f.integer("head_dim", 1, MAX_HEAD_DIM, derivedHeadDim);
        if (headDim < 1) {
            throw new T2lException(source + ": hidden_size " + hidden + " / num_attention_heads " + heads
                    + " gives a head_dim of 0; set 'head_dim' or fix the sizes");
        }
        int maxPositions = f.integer("max_position_embeddings", 1, MAX_POSITIONS, 4096);
        Integer window = null;
        if (family == Family.MISTRAL || gemma) {
            window = f.integer("sliding_window", 1, MAX_POSITIONS, gemma ? Integer.valueOf(4096) : null);
        } else if (family == Family.QWEN2 && f.bool("use_sliding_window", false)) {
            throw new T2lException(source + ": field 'use_sliding_window' is true; Qwen2 sliding-window layers are not supported");
        }
        Integer pad = f.integer("pad_token_id", -1, vocab - 1, null);
        return new ModelConfig(
                family,
                vocab,
                hidden,
                intermediate,
                layers,
                heads,
                kvHeads,
                headDim,
                f.positive("rms_norm_eps", 1, 1e-6), // > 0: with 0 an all-zero row divides 0 by 0
                f.positive("rope_theta", 1e12, 10000.0), // <= 0 makes every rotation NaN
                ropeScaling(j.get("rope_scaling"), source, maxPositions),
                maxPositions,
                f.bool("tie_word_embeddings", gemma),
                family == Family.QWEN2 || f.bool("attention_bias", false),
                f.bool("mlp_bias", false),
                f.text(gemma ? "hidden_activation" : "hidden_act", gemma ? "gelu_pytorch_tanh" : "silu"),
                window,
                gemma,
                gemma ? f.positive("query_pre_attn_scalar", 1e9, 256.0) : null,
                gemma ? f.positive("attn_logit_softcapping", 1e9, null) : null,
                gemma ? f.positive("final_logit_softcapping", 1e9, null) : null,
                f.integer("bos_token_id", 0, vocab - 1, null),
                ids(j.get("eos_token_id"), "eos_token_id", vocab, source),
                pad == null || pad < 0 ? null : pad); // -1: "no pad token" in older LLaMA conversions
    }

    /** Llama 3.1 scaling, with transformers' own checks (_validate_llama3_parameters): factor >= 1, low < high. */
    private static RopeScaling ropeScaling(JsonNode n, String source, int maxPositions) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            throw new T2lException(source + ": field 'rope_scaling' must be an object or null, found " + n);
        }
        ConfigFields f = new ConfigFields(n, source + " rope_scaling");
        String type = f.text("rope_type", f.text("type", ""));
        if (type.equals("default")) {
            return null;
        }
        if (!type.equals("llama3")) {
            throw new T2lException(source + ": field 'rope_scaling.rope_type' is '" + type + "'; supported: llama3, default");
        }
        double factor = f.positive("factor", 1e6, 8.0);
        if (factor < 1) {
            throw new T2lException(source + ": field 'rope_scaling.factor' must be >= 1, found " + factor);
        }
        double low = f.positive("low_freq_factor", 1e6, 1.0);
        double high = f.positive("high_freq_factor", 1e6, 4.0);
        if (high <= low) {
            throw new T2lException(source + ": field 'rope_scaling.high_freq_factor' (" + high
                    + ") must be greater than 'low_freq_factor' (" + low + ")");
        }
        return new RopeScaling(type, factor, low, high, f.integer("original_max_position_embeddings", 1, MAX_POSITIONS, 8192));
    }

    private static List<Integer> ids(JsonNode n, String field, int vocab, String source) {
        List<Integer> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (n.isArray()) {
            n.forEach(x -> out.add(ConfigFields.check(field, x, 0, vocab - 1, source)));
        } else {
            out.add(ConfigFields.check(field, n, 0, vocab - 1, source));
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
}
