package ai.t2l.model.gemma2;

import ai.t2l.model.ModelConfig;
import ai.t2l.model.llama.LlamaArchitecture;

/**
 * HF modeling_gemma2.py (transformers 4.46). Soft-capping, the alternating sliding window, tied embeddings and the
 * tanh GELU are config fields; what remains is here.
 */
public final class Gemma2Architecture extends LlamaArchitecture {
    public static final Gemma2Architecture INSTANCE = new Gemma2Architecture();

    private Gemma2Architecture() {}

    /** Gemma2Model.forward: hidden * torch.tensor(hidden_size**0.5, dtype=hidden.dtype), i.e. rounded to float32. */
    @Override
    public float embeddingScale(ModelConfig c) {
        return (float) Math.sqrt(c.hiddenSize());
    }

    /** Gemma2RMSNorm: output * (1.0 + weight.float()). */
    @Override
    public float normWeightOffset() {
        return 1f;
    }

    @Override
    public String preMlpNorm() {
        return "pre_feedforward_layernorm";
    }

    /** Gemma2DecoderLayer normalises the attention output with post_attention_layernorm before the residual add. */
    @Override
    public String postAttentionNorm() {
        return "post_attention_layernorm";
    }

    @Override
    public String postMlpNorm() {
        return "post_feedforward_layernorm";
    }

    /** Gemma2Attention: scaling = config.query_pre_attn_scalar ** -0.5. */
    @Override
    public double attentionScale(ModelConfig c) {
        return Math.pow(c.queryPreAttnScalar(), -0.5);
    }
}
