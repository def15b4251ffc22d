package ai.t2l.embed;

import ai.t2l.io.FloatTensor;
import ai.t2l.io.TensorSource;
import java.util.HashSet;
import java.util.Set;

/**
 * The weights of a bare decoder ({@code AutoModel}, e.g. MistralModel as Salesforce/SFR-Embedding-Mistral ships
 * it: keys without the "model." prefix and no lm_head) seen under the names of a causal-LM folder, so the runtime
 * can load it as an embedder. The missing lm_head reads as the token embedding: an embedder never uses logits.
 */
final class BareModelWeights implements TensorSource {
    private static final String PREFIX = "model.";
    private static final String LM_HEAD = "lm_head.weight";
    private final TensorSource bare;

    BareModelWeights(TensorSource bare) {
        this.bare = bare;
    }

    /** True when the source has the bare layout (no "model.embed_tokens.weight", but "embed_tokens.weight"). */
    static boolean isBare(TensorSource s) {
        return !s.contains(PREFIX + "embed_tokens.weight") && s.contains("embed_tokens.weight");
    }

    private String map(String name) {
        if (name.equals(LM_HEAD) && !bare.contains(LM_HEAD)) {
            return "embed_tokens.weight";
        }
        return name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name;
    }

    @Override
    public Set<String> names() {
        Set<String> out = new HashSet<>();
        for (String n : bare.names()) {
            out.add(n.equals(LM_HEAD) ? n : PREFIX + n);
        }
        out.add(LM_HEAD);
        return out;
    }

    @Override
    public boolean contains(String name) {
        return bare.contains(map(name));
    }

    @Override
    public long[] shape(String name) {
        return bare.shape(map(name));
    }

    @Override
    public FloatTensor read(String name) {
        return bare.read(map(name));
    }

    @Override
    public String describe() {
        return bare.describe();
    }

    @Override
    public String locate(String name) {
        return bare.locate(map(name));
    }

    @Override
    public void close() {
        bare.close();
    }
}
