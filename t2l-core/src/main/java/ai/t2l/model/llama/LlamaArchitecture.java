package ai.t2l.model.llama;

import ai.t2l.model.Architecture;
import ai.t2l.model.ModelConfig;

/** HF modeling_llama.py (transformers 4.46): pre-norm blocks, RMSNorm weight w, scale head_dim^-0.5. */
public class LlamaArchitecture implements Architecture {
    public static final LlamaArchitecture INSTANCE = new LlamaArchitecture();

    protected LlamaArchitecture() {}

    @Override
    public float embeddingScale(ModelConfig c) {
        return 1f;
    }

    @Override
    public float normWeightOffset() {
        return 0f;
    }

    /** Llama names its pre-MLP norm "post_attention_layernorm". */
    @Override
    public String preMlpNorm() {
        return "post_attention_layernorm";
    }

    @Override
    public String postAttentionNorm() {
        return null;
    }

    @Override
    public String postMlpNorm() {
        return null;
    }

    @Override
    public double attentionScale(ModelConfig c) {
        return 1.0 / Math.sqrt(c.headDim());
    }

    /** LlamaAttention: o_proj = nn.Linear(..., bias=config.attention_bias), like q/k/v. */
    @Override
    public boolean outputProjectionBias(ModelConfig c) {
        return c.attentionBias();
    }
}
