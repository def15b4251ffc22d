package ai.t2l.model;

import ai.t2l.io.T2lException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The Hugging Face tensor names and shapes a model folder must hold for a config (transformers 4.46 key names). */
public final class TensorLayout {
    /** The projections LoRA can adapt, in HF order. */
    public static final List<String> PROJECTIONS =
            List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    private TensorLayout() {}

    public static String parentOf(String projection) {
        int i = PROJECTIONS.indexOf(projection);
        if (i < 0) {
            throw new T2lException("unknown projection '" + projection + "' (expected one of " + PROJECTIONS + ")");
        }
        return i < 4 ? "self_attn" : "mlp";
    }

    public static String projection(int layer, String module) {
        return "model.layers." + layer + "." + parentOf(module) + "." + module + ".weight";
    }

    public static String projectionBias(int layer, String module) {
        return "model.layers." + layer + "." + parentOf(module) + "." + module + ".bias";
    }

    public static String norm(int layer, String name) {
        return "model.layers." + layer + "." + name + ".weight";
    }

    /** name -> shape of every tensor the forward pass reads, in a stable order. */
    public static Map<String, long[]> of(ModelConfig c) {
        Architecture arch = Architecture.of(c.family());
        Map<String, long[]> out = new LinkedHashMap<>();
        long h = c.hiddenSize();
        out.put("model.embed_tokens.weight", new long[] {c.vocabSize(), h});
        for (int l = 0; l < c.numLayers(); l++) {
            for (String m : PROJECTIONS) {
                out.put(projection(l, m), new long[] {c.outFeatures(m), c.inFeatures(m)});
                if (hasBias(c, arch, m)) {
                    out.put(projectionBias(l, m), new long[] {c.outFeatures(m)});
                }
            }
            out.put(norm(l, "input_layernorm"), new long[] {h});
            out.put(norm(l, arch.preMlpNorm()), new long[] {h});
            if (arch.postAttentionNorm() != null) {
                out.put(norm(l, arch.postAttentionNorm()), new long[] {h});
            }
            if (arch.postMlpNorm() != null) {
                out.put(norm(l, arch.postMlpNorm()), new long[] {h});
            }
        }
        out.put("model.norm.weight", new long[] {h});
        if (!c.tieWordEmbeddings()) {
            out.put("lm_head.weight", new long[] {c.vocabSize(), h});
        }
        return out;
    }

    static boolean hasBias(ModelConfig c, Architecture arch, String module) {
        return switch (module) {
            case "q_proj", "k_proj", "v_proj" -> c.attentionBias();
            case "o_proj" -> arch.outputProjectionBias(c);
            default -> c.mlpBias();
        };
    }
}
