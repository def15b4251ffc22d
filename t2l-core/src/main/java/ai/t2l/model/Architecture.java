package ai.t2l.model;

import ai.t2l.model.gemma2.Gemma2Architecture;
import ai.t2l.model.llama.LlamaArchitecture;
import ai.t2l.model.qwen2.Qwen2Architecture;

/**
 * What a family changes in the forward pass; everything not here is the Llama recipe in {@link Transformer}.
 * Differences that are plain config fields (sliding window, soft-capping, biases, tied embeddings, rope scaling)
 * are read once in {@link ModelConfig}.
 */
public interface Architecture {
    /** Token embeddings are multiplied by this before the first layer. */
    float embeddingScale(ModelConfig c);

    /** Added to every stored RMSNorm weight at load time (Gemma 2 scales by 1 + w). */
    float normWeightOffset();

    /** The norm in front of the MLP. */
    String preMlpNorm();

    /** Norm applied to the attention output before the residual add; null when the family has none. */
    String postAttentionNorm();

    /** Norm applied to the MLP output before the residual add; null when the family has none. */
    String postMlpNorm();

    /** Multiplier of q·k. */
    double attentionScale(ModelConfig c);

    /** Whether o_proj carries a bias. */
    boolean outputProjectionBias(ModelConfig c);

    static Architecture of(Family family) {
        return switch (family) {
            // Mistral is Llama plus an optional sliding window, which ModelConfig carries.
            case LLAMA, MISTRAL -> LlamaArchitecture.INSTANCE;
            case GEMMA2 -> Gemma2Architecture.INSTANCE;
            case QWEN2 -> Qwen2Architecture.INSTANCE;
        };
    }
}
