package ai.t2l.export;

import ai.t2l.io.T2lException;
import ai.t2l.model.Family;
import ai.t2l.model.ModelConfig;

/**
 * Hugging Face to llama.cpp names and layouts (llama.cpp's gguf-py/gguf/constants.py and tensor_mapping.py, and
 * convert_hf_to_gguf.py): {@code model.layers.N.self_attn.q_proj} is {@code blk.N.attn_q}, and so on. For the llama
 * architecture (Llama and Mistral) convert_hf_to_gguf.py permutes the rows of q_proj and k_proj from HF's rotate-half
 * RoPE layout to ggml's interleaved pairs ({@code LlamaModel.permute}); Qwen 2 and Gemma 2 keep HF's layout.
 */
public final class GgufLayout {
    private GgufLayout() {}

    /** llama.cpp's architecture name for a model family (Mistral runs as llama there). */
    public static String architecture(Family f) {
        return switch (f) {
            case LLAMA, MISTRAL -> "llama";
            case QWEN2 -> "qwen2";
            case GEMMA2 -> "gemma2";
        };
    }

    /** The GGUF name of an adaptable projection's weight, e.g. (3, v_proj) -> blk.3.attn_v.weight. */
    public static String projection(int layer, String module) {
        String n = switch (module) {
            case "q_proj" -> "attn_q";
            case "k_proj" -> "attn_k";
            case "v_proj" -> "attn_v";
            case "o_proj" -> "attn_output";
            case "gate_proj" -> "ffn_gate";
            case "up_proj" -> "ffn_up";
            case "down_proj" -> "ffn_down";
            default -> throw new T2lException("no GGUF name for module '" + module + "'");
        };
        return "blk." + layer + "." + n + ".weight";
    }

    /**
     * The number of heads whose rows convert_hf_to_gguf.py permutes for this projection, or 0 when it keeps the
     * rows: q_proj by num_attention_heads, k_proj by num_key_value_heads, only for the llama architecture.
     */
    public static int permuteHeads(ModelConfig c, String module) {
        if (!architecture(c.family()).equals("llama")) {
            return 0;
        }
        return switch (module) {
            case "q_proj" -> c.numHeads();
            case "k_proj" -> c.numKvHeads();
            default -> 0;
        };
    }

    /**
     * {@code LlamaModel.permute}: rows viewed as [heads, 2, headDim/2] are swapped to [heads, headDim/2, 2], so row
     * {@code h*hd + j*2 + i} of the result is row {@code h*hd + i*hd/2 + j} of the input. Works on any row-major
     * [rows, cols] array (a weight, a bias with cols 1, or a LoRA B).
     */
    public static float[] permuteRows(float[] data, long rows, long cols, int heads, String what) {
        if (heads == 0) {
            return data;
        }
        if (rows % heads != 0 || (rows / heads) % 2 != 0) {
            throw new T2lException(what + ": " + rows + " rows cannot be split into " + heads + " heads of even size");
        }
        int hd = (int) (rows / heads);
        int half = hd / 2;
        int c = (int) cols;
        float[] out = new float[data.length];
        for (int h = 0; h < heads; h++) {
            for (int j = 0; j < half; j++) {
                for (int i = 0; i < 2; i++) {
                    int dst = h * hd + j * 2 + i;
                    int src = h * hd + i * half + j;
                    System.arraycopy(data, src * c, out, dst * c, c);
                }
            }
        }
        return out;
    }
}
