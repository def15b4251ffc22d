package ai.t2l.train;

import ai.t2l.io.FloatTensor;
import ai.t2l.io.Json;
import ai.t2l.io.TensorSource;
import ai.t2l.model.ModelConfig;
import ai.t2l.model.TensorLayout;
import ai.t2l.model.Transformer;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/** A tiny random Llama built through the runtime's own loader, for trainer tests on the real forward pass. */
final class RandomModel {
    private RandomModel() {}

    static ModelConfig config(int vocab, int hidden, int layers, int heads, int kvHeads, int intermediate) {
        var j = Json.MAPPER.createObjectNode().put("model_type", "llama").put("vocab_size", vocab)
                .put("hidden_size", hidden).put("intermediate_size", intermediate).put("num_hidden_layers", layers)
                .put("num_attention_heads", heads).put("num_key_value_heads", kvHeads).put("rms_norm_eps", 1e-5)
                .put("max_position_embeddings", 512).put("tie_word_embeddings", false).put("hidden_act", "silu");
        return ModelConfig.parse(j, "random llama");
    }

    static Transformer create(ModelConfig c, long seed) {
        Map<String, long[]> layout = TensorLayout.of(c);
        Random r = new Random(seed);
        return Transformer.create(c, new TensorSource() {
            public Set<String> names() {
                return layout.keySet();
            }

            public boolean contains(String n) {
                return layout.containsKey(n);
            }

            public long[] shape(String n) {
                return layout.get(n);
            }

            public FloatTensor read(String n) {
                long[] s = layout.get(n);
                float[] v = new float[(int) FloatTensor.numel(s)];
                boolean norm = s.length == 1;
                double scale = s.length == 2 ? 1 / Math.sqrt(s[1]) : 0;
                for (int i = 0; i < v.length; i++) {
                    v[i] = norm ? 1f : (float) (r.nextGaussian() * (n.contains("embed") ? 1 : scale));
                }
                return new FloatTensor(v, s);
            }

            public String describe() {
                return "random weights";
            }

            public void close() {}
        });
    }
}
