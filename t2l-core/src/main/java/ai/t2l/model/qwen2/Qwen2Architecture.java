package ai.t2l.model.qwen2;

import ai.t2l.model.ModelConfig;
import ai.t2l.model.llama.LlamaArchitecture;

/** HF modeling_qwen2.py: q/k/v projections have a bias (ModelConfig forces attentionBias), o_proj has none. */
public final class Qwen2Architecture extends LlamaArchitecture {
    public static final Qwen2Architecture INSTANCE = new Qwen2Architecture();

    private Qwen2Architecture() {}

    @Override
    public boolean outputProjectionBias(ModelConfig c) {
        return false;
    }
}
