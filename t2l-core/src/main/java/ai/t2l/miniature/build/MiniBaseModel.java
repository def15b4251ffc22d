package ai.t2l.miniature.build;

import ai.t2l.io.AtomicFiles;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.Json;
import ai.t2l.io.SafetensorsWriter;
import ai.t2l.io.T2lException;
import ai.t2l.io.TensorSource;
import ai.t2l.miniature.MiniTokenizer;
import ai.t2l.model.ModelConfig;
import ai.t2l.model.TensorLayout;
import ai.t2l.train.Rng;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The miniature's base model as a Hugging Face Llama folder: config.json, model.safetensors, and the miniature
 * tokenizer (tokenizer.json + tokenizer_config.json naming the "mini" chat format). Fresh weights follow HF's
 * LlamaPreTrainedModel._init_weights: N(0, 0.02) for embeddings and projections, ones for the RMSNorms.
 */
public final class MiniBaseModel {
    public static final String WEIGHTS = "model.safetensors";

    private MiniBaseModel() {}

    /** The config.json of a model with these sizes (eos: {@code </s>} and the end-of-turn marker). */
    public static ObjectNode configJson(MiniSettings.Model m) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.putArray("architectures").add("LlamaForCausalLM");
        n.put("model_type", "llama");
        n.put("vocab_size", MiniTokenizer.vocabSize());
        n.put("hidden_size", m.hidden());
        n.put("intermediate_size", m.intermediate());
        n.put("num_hidden_layers", m.layers());
        n.put("num_attention_heads", m.heads());
        n.put("num_key_value_heads", m.heads());
        n.put("head_dim", m.hidden() / m.heads());
        n.put("hidden_act", "silu");
        n.put("max_position_embeddings", 256);
        n.put("rms_norm_eps", 1e-5);
        n.put("rope_theta", 10000.0);
        n.put("tie_word_embeddings", true);
        n.put("attention_bias", false);
        n.put("mlp_bias", false);
        n.put("bos_token_id", MiniTokenizer.id(MiniTokenizer.BOS));
        n.putArray("eos_token_id").add(MiniTokenizer.id(MiniTokenizer.EOS)).add(MiniTokenizer.id("<|end|>"));
        n.put("pad_token_id", MiniTokenizer.id(MiniTokenizer.PAD));
        n.put("torch_dtype", "float32");
        return n;
    }

    public static ModelConfig config(MiniSettings.Model m) {
        return ModelConfig.parse(configJson(m), "miniature config");
    }

    /** Seeded initial weights for every tensor of the layout. */
    public static Map<String, FloatTensor> initialWeights(ModelConfig c, long seed) {
        Rng rng = new Rng(seed);
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        TensorLayout.of(c).forEach((name, shape) -> {
            float[] v = new float[Math.toIntExact(FloatTensor.numel(shape))];
            if (name.endsWith("norm.weight")) {
                java.util.Arrays.fill(v, 1f);
            } else {
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (0.02 * gaussian(rng));
                }
            }
            out.put(name, new FloatTensor(v, shape));
        });
        return out;
    }

    private static double gaussian(Rng rng) {
        double u = 1 - rng.nextDouble(); // (0, 1]: log is finite
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    /** Writes the whole model folder at once (temporary sibling, then rename). */
    public static void write(Path dir, MiniSettings.Model m, Map<String, FloatTensor> weights, boolean overwrite) {
        String config = Json.write(configJson(m));
        AtomicFiles.writeDirectory(dir, overwrite, tmp -> {
            Files.writeString(tmp.resolve("config.json"), config);
            MiniTokenizer.write(tmp);
            SafetensorsWriter.write(tmp.resolve(WEIGHTS), weights, Map.of("format", "pt"));
        });
    }

    /** Named tensors held in memory, as a {@link TensorSource} for {@code Transformer.create}. */
    public static TensorSource inMemory(Map<String, FloatTensor> tensors, String describe) {
        return new TensorSource() {
            @Override
            public Set<String> names() {
                return tensors.keySet();
            }

            @Override
            public boolean contains(String name) {
                return tensors.containsKey(name);
            }

            @Override
            public long[] shape(String name) {
                return get(name).shape();
            }

            @Override
            public FloatTensor read(String name) {
                FloatTensor t = get(name);
                return new FloatTensor(t.data().clone(), t.shape());
            }

            private FloatTensor get(String name) {
                FloatTensor t = tensors.get(name);
                if (t == null) {
                    throw new T2lException(describe + ": no tensor '" + name + "'");
                }
                return t;
            }

            @Override
            public String describe() {
                return describe;
            }

            @Override
            public void close() {}
        };
    }

    static List<String> names(ModelConfig c) {
        return List.copyOf(TensorLayout.of(c).keySet());
    }
}
