package ai.t2l.export;

import ai.t2l.io.GgufWriter;
import ai.t2l.io.ModelWeights;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraWeights;
import ai.t2l.model.AdapterCheck;
import ai.t2l.model.Family;
import ai.t2l.model.ModelConfig;
import ai.t2l.model.RopeScaling;
import ai.t2l.model.TensorLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Hugging Face Llama or Mistral folder as a GGUF model for llama.cpp and Ollama, as llama.cpp's
 * convert_hf_to_gguf.py (LlamaModel) writes it: the {@code llama.*} hyper-parameters, the tokenizer
 * ({@link GgufVocab}), q/k rows permuted to ggml's RoPE layout, norms in F32 and matrices in F32 or F16
 * (general.file_type 0 / 1), and for Llama 3.1 RoPE scaling the {@code rope_freqs.weight} factors. Optionally with
 * a LoRA adapter merged in (the same merge as {@link MergedExport}).
 */
public final class GgufModelExport {
    private GgufModelExport() {}

    public static void write(Path modelDir, LoraWeights mergeAdapter, String adapterSource, Path out,
            GgufWriter.TensorType matrixType, String name) {
        ModelConfig c = ModelConfig.read(modelDir);
        if (c.family() != Family.LLAMA && c.family() != Family.MISTRAL) {
            throw new T2lException(modelDir + ": GGUF model export supports llama and mistral models, this one is "
                    + c.family().modelType + " (convert it with llama.cpp's convert_hf_to_gguf.py; t2l exports"
                    + " the adapter for it)");
        }
        if (!c.hiddenAct().equals("silu")) {
            throw new T2lException(modelDir + ": hidden_act '" + c.hiddenAct() + "', llama.cpp's llama uses silu");
        }
        if (mergeAdapter != null) {
            AdapterCheck.check(c, mergeAdapter, adapterSource);
        }
        String arch = "llama";
        GgufWriter g = new GgufWriter();
        g.putString("general.architecture", arch);
        g.putString("general.type", "model");
        g.putString("general.name", name != null ? name : modelDir.toAbsolutePath().normalize().getFileName().toString());
        g.putU32("general.file_type", matrixType == GgufWriter.TensorType.F16 ? 1 : 0);
        g.putU32(arch + ".vocab_size", c.vocabSize());
        g.putU32(arch + ".context_length", c.maxPositionEmbeddings());
        g.putU32(arch + ".embedding_length", c.hiddenSize());
        g.putU32(arch + ".block_count", c.numLayers());
        g.putU32(arch + ".feed_forward_length", c.intermediateSize());
        g.putU32(arch + ".rope.dimension_count", c.headDim());
        g.putU32(arch + ".attention.head_count", c.numHeads());
        g.putU32(arch + ".attention.head_count_kv", c.numKvHeads());
        g.putU32(arch + ".attention.key_length", c.headDim());
        g.putU32(arch + ".attention.value_length", c.headDim());
        g.putF32(arch + ".rope.freq_base", (float) c.ropeTheta());
        g.putF32(arch + ".attention.layer_norm_rms_epsilon", (float) c.rmsNormEps());
        GgufVocab.write(g, modelDir, c);

        ModelWeights weights = ModelWeights.open(modelDir);
        try {
            List<String[]> names = new ArrayList<>(); // {hf, gguf}
            names.add(new String[] {"model.embed_tokens.weight", "token_embd.weight"});
            for (int l = 0; l < c.numLayers(); l++) {
                names.add(new String[] {TensorLayout.norm(l, "input_layernorm"), "blk." + l + ".attn_norm.weight"});
                for (String m : TensorLayout.PROJECTIONS) {
                    String gw = GgufLayout.projection(l, m);
                    names.add(new String[] {TensorLayout.projection(l, m), gw, m});
                    String bias = TensorLayout.projectionBias(l, m);
                    if (weights.contains(bias)) {
                        names.add(new String[] {bias, gw.replace(".weight", ".bias"), m});
                    }
                }
                names.add(new String[] {TensorLayout.norm(l, "post_attention_layernorm"), "blk." + l + ".ffn_norm.weight"});
            }
            names.add(new String[] {"model.norm.weight", "output_norm.weight"});
            if (!c.tieWordEmbeddings()) {
                names.add(new String[] {"lm_head.weight", "output.weight"});
            }
            if (c.ropeScaling() != null) {
                float[] f = llama3RopeFactors(c);
                g.addTensor("rope_freqs.weight", new long[] {f.length}, GgufWriter.TensorType.F32, () -> f);
            }
            double scaling = mergeAdapter == null ? 0 : mergeAdapter.config().scaling();
            for (String[] n : names) {
                long[] shape = weights.shape(n[0]);
                int heads = n.length > 2 ? GgufLayout.permuteHeads(c, n[2]) : 0;
                LoraWeights.Pair p = n.length > 2 && n[0].endsWith(".weight")
                        ? LoraMerge.pairFor(mergeAdapter, n[0], c.numLayers()) : null;
                GgufWriter.TensorType t = shape.length == 1 ? GgufWriter.TensorType.F32 : matrixType;
                g.addTensor(n[1], shape, t, () -> {
                    float[] d = weights.read(n[0]).data();
                    if (p != null) {
                        d = LoraMerge.merged(d, p, scaling);
                    }
                    return GgufLayout.permuteRows(d, shape[0], shape.length == 1 ? 1 : shape[1], heads, n[0]);
                });
            }
            g.write(out);
        } finally {
            weights.close();
        }
    }

    /**
     * Llama 3.1's RoPE scaling as per-frequency divisors, exactly as convert_hf_to_gguf.py's
     * LlamaModel.generate_extra_tensors computes them (llama.cpp divides each inverse frequency by its factor).
     */
    static float[] llama3RopeFactors(ModelConfig c) {
        RopeScaling r = c.ropeScaling();
        int dim = c.headDim();
        float[] out = new float[dim / 2];
        double lowWavelen = r.originalMaxPositionEmbeddings() / r.lowFreqFactor();
        double highWavelen = r.originalMaxPositionEmbeddings() / r.highFreqFactor();
        for (int i = 0; i < dim / 2; i++) {
            float freq = (float) (1.0 / Math.pow(c.ropeTheta(), (float) (2 * i) / dim));
            double wavelen = 2 * Math.PI / freq;
            if (wavelen < highWavelen) {
                out[i] = 1;
            } else if (wavelen > lowWavelen) {
                out[i] = (float) r.factor();
            } else {
                double smooth = (r.originalMaxPositionEmbeddings() / wavelen - r.lowFreqFactor())
                        / (r.highFreqFactor() - r.lowFreqFactor());
                out[i] = (float) (1 / ((1 - smooth) / r.factor() + smooth));
            }
        }
        return out;
    }
}
