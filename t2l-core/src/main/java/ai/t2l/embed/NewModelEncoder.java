package ai.t2l.embed;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.SafetensorsFile;
import ai.t2l.io.T2lException;
import ai.t2l.model.OwnedArrays;
import ai.t2l.model.Scalars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The "NewModel" text encoder (Alibaba-NLP/new-impl; gte-large-en-v1.5, the reference's description encoder) in
 * float32 on the engine, inference only. The forward pass follows fixtures/golden/gte_new/README.md, checked
 * against the goldens computed by new-impl's own modeling code: word + token-type-0 embeddings and LayerNorm; per
 * layer (post-LN) packed qkv, rotate-half RoPE with fixed NTK scaling, scaled dot-product attention with HF's
 * additive padding mask, o_proj, LayerNorm, gated MLP (up | gate halves, exact erf GELU), LayerNorm. No final norm,
 * no pooler. Weights come from the folder's model.safetensors with Hugging Face's key names.
 */
public final class NewModelEncoder implements AutoCloseable {
    /** {@code torch.finfo(torch.float32).min}: HF's additive bias for padded keys. */
    private static final float MASK_MIN = -Float.MAX_VALUE;

    private final NewModelConfig config;
    private final NDManager manager;
    private final NDArray wordEmb;
    private final NDArray typeRow0; // (hidden): token_type_ids are all 0 (BERT tokenizer, and new-impl's default)
    private final NDArray[] embLn;
    private final List<NDArray[]> layers = new ArrayList<>();
    private final float[] invFreq;

    private NewModelEncoder(NewModelConfig config, SafetensorsFile st, NDManager manager, String prefix) {
        this.config = config;
        this.manager = manager;
        int h = config.hiddenSize();
        int inter = config.intermediateSize();
        this.wordEmb = load(st, prefix + "embeddings.word_embeddings.weight", config.vocabSize(), h);
        NDArray types = load(st, prefix + "embeddings.token_type_embeddings.weight", config.typeVocabSize(), h);
        this.typeRow0 = types.get(0);
        this.embLn = new NDArray[] {load(st, prefix + "embeddings.LayerNorm.weight", h),
                load(st, prefix + "embeddings.LayerNorm.bias", h)};
        for (int l = 0; l < config.numLayers(); l++) {
            String p = prefix + "encoder.layer." + l + ".";
            layers.add(new NDArray[] {
                    load(st, p + "attention.qkv_proj.weight", 3 * h, h), // 0: (3h, h)
                    load(st, p + "attention.qkv_proj.bias", 3 * h), // 1
                    load(st, p + "attention.o_proj.weight", h, h), // 2: (h, h)
                    load(st, p + "attention.o_proj.bias", h), // 3
                    load(st, p + "attn_ln.weight", h), load(st, p + "attn_ln.bias", h), // 4, 5
                    load(st, p + "mlp.up_gate_proj.weight", 2 * inter, h), // 6: (2I, h), no bias
                    load(st, p + "mlp.down_proj.weight", h, inter), // 7: (h, I)
                    load(st, p + "mlp.down_proj.bias", h), // 8
                    load(st, p + "mlp_ln.weight", h), load(st, p + "mlp_ln.bias", h)}); // 9, 10
        }
        this.invFreq = invFreq(config);
    }

    /** Loads config.json and model.safetensors of a NewModel folder (keys with or without a "new." prefix). */
    public static NewModelEncoder load(Path dir) {
        NewModelConfig c = NewModelConfig.read(dir);
        Path weights = dir.resolve("model.safetensors");
        if (!Files.isRegularFile(weights)) {
            throw new T2lException(dir + ": no model.safetensors (download the encoder's safetensors weights)");
        }
        NDManager m = NDManager.newBaseManager();
        try (SafetensorsFile st = SafetensorsFile.open(weights)) {
            String prefix = st.contains("embeddings.word_embeddings.weight") ? ""
                    : st.contains("new.embeddings.word_embeddings.weight") ? "new." : null;
            if (prefix == null) {
                throw new T2lException(weights + ": no tensor embeddings.word_embeddings.weight; not NewModel weights");
            }
            return new NewModelEncoder(c, st, m, prefix);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    public NewModelConfig config() {
        return config;
    }

    /** The NTK-scaled inverse frequencies, float32 as new-impl computes them (NTKScalingRotaryEmbedding). */
    public float[] invFreq() {
        return invFreq.clone();
    }

    static float[] invFreq(NewModelConfig c) {
        int d = c.headDim();
        // the cache spans max_position_embeddings * factor > max_position_embeddings, so the NTK branch always runs:
        // base = theta * factor; inv_freq = 1 / base^(arange(0, d, 2) / d) / factor^(2 / d)
        double base = c.ropeTheta() * c.ntkFactor();
        float extra = (float) Math.pow(c.ntkFactor(), 2.0 / d);
        float[] f = new float[d / 2];
        for (int j = 0; j < f.length; j++) {
            float exponent = (float) (2 * j) / (float) d;
            float inv = 1f / (float) Math.pow(base, exponent);
            f[j] = c.ntkFactor() == 1.0 ? inv : inv / extra;
        }
        return f;
    }

    /**
     * Runs a right-padded batch.
     *
     * @param ids  (batch, seq) token ids, rows padded to one length
     * @param mask (batch, seq) 1 for real tokens, 0 for padding (padding on the right only)
     * @return the hidden states (layers + 1 entries of (batch, seq, hidden) float32, HF's output_hidden_states:
     *         index 0 the embedding output, the last one last_hidden_state) when {@code all}, else only the last
     */
    public List<FloatTensor> forward(int[][] ids, int[][] mask, boolean all) {
        int b = ids.length;
        int seq = ids[0].length;
        long[] flat = new long[b * seq];
        float[] bias = new float[b * seq];
        for (int r = 0; r < b; r++) {
            if (ids[r].length != seq || mask[r].length != seq) {
                throw new T2lException("NewModel batch: row " + r + " has " + ids[r].length + " ids and "
                        + mask[r].length + " mask values, expected " + seq + " (pad the rows to one length)");
            }
            for (int t = 0; t < seq; t++) {
                int id = ids[r][t];
                if (id < 0 || id >= config.vocabSize()) {
                    throw new T2lException("NewModel: token id " + id + " (row " + r + ", position " + t
                            + ") is outside the vocabulary of " + config.vocabSize());
                }
                flat[r * seq + t] = id;
                bias[r * seq + t] = mask[r][t] == 0 ? MASK_MIN : 0f;
            }
        }
        try (NDManager s = manager.newSubManager()) {
            NDArray x = wordEmb.get(new NDIndex("{}", OwnedArrays.of(s, flat, new Shape(b, seq)))).add(typeRow0);
            x = layerNorm(x, embLn[0], embLn[1]); // (b, seq, h)
            NDArray[] cosSin = rope(s, seq); // (seq, d) each
            NDArray keyBias = OwnedArrays.of(s, bias, new Shape(b, 1, 1, seq));
            List<FloatTensor> out = new ArrayList<>();
            if (all) {
                out.add(tensor(x));
            }
            for (NDArray[] w : layers) {
                x = layer(x, w, cosSin, keyBias, b, seq);
                if (all) {
                    out.add(tensor(x));
                }
            }
            if (!all) {
                out.add(tensor(x));
            }
            return out;
        }
    }

    private NDArray layer(NDArray x, NDArray[] w, NDArray[] cosSin, NDArray keyBias, int b, int seq) {
        int h = config.hiddenSize();
        int n = config.numHeads();
        int d = config.headDim();
        int inter = config.intermediateSize();
        NDArray qkv = linear(x, w[0]).add(w[1]); // (b, seq, 3h)
        NDArray q = heads(qkv.get(new NDIndex(":, :, 0:{}", h)), b, seq, n, d);
        NDArray k = heads(qkv.get(new NDIndex(":, :, {}:{}", h, 2 * h)), b, seq, n, d);
        NDArray v = heads(qkv.get(new NDIndex(":, :, {}:", 2 * h)), b, seq, n, d);
        q = rotate(q, cosSin);
        k = rotate(k, cosSin);
        NDArray scores = Scalars.div(q.matMul(k.transpose(0, 1, 3, 2)), Math.sqrt(d)).add(keyBias); // (b, n, seq, seq)
        NDArray ctx = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(b, seq, h);
        x = layerNorm(x.add(linear(ctx, w[2]).add(w[3])), w[4], w[5]);
        NDArray ug = linear(x, w[6]); // (b, seq, 2I): up first, gate second (NewGatedMLP)
        NDArray up = ug.get(new NDIndex(":, :, 0:{}", inter));
        NDArray gate = ug.get(new NDIndex(":, :, {}:", inter));
        NDArray m = linear(gelu(gate).mul(up), w[7]).add(w[8]);
        return layerNorm(x.add(m), w[9], w[10]);
    }

    /** x Wᵀ for an nn.Linear weight W (out, in); the transpose is a view. */
    private static NDArray linear(NDArray x, NDArray w) {
        return x.matMul(w.transpose());
    }

    /** (b, seq, h) → (b, n, seq, d). */
    private static NDArray heads(NDArray x, int b, int seq, int n, int d) {
        return x.reshape(b, seq, n, d).transpose(0, 2, 1, 3);
    }

    /** {@code x*cos + rotate_half(x)*sin}, rotate_half(x) = concat(−x[d/2:], x[:d/2]). */
    private NDArray rotate(NDArray x, NDArray[] cosSin) {
        int half = config.headDim() / 2;
        NDArray x1 = x.get(new NDIndex("..., 0:{}", half));
        NDArray x2 = x.get(new NDIndex("..., {}:", half));
        NDArray rotated = NDArrays.concat(new NDList(x2.neg(), x1), -1);
        return x.mul(cosSin[0]).add(rotated.mul(cosSin[1]));
    }

    /** cos and sin of concat(a, a), a[p, j] = p · inv_freq[j] in float32; positions 0..seq−1 (right padding). */
    private NDArray[] rope(NDManager s, int seq) {
        int d = config.headDim();
        int half = d / 2;
        float[] cos = new float[seq * d];
        float[] sin = new float[seq * d];
        for (int p = 0; p < seq; p++) {
            for (int j = 0; j < half; j++) {
                float a = (float) p * invFreq[j];
                float c = (float) Math.cos(a);
                float sn = (float) Math.sin(a);
                cos[p * d + j] = c;
                cos[p * d + j + half] = c;
                sin[p * d + j] = sn;
                sin[p * d + j + half] = sn;
            }
        }
        return new NDArray[] {OwnedArrays.of(s, cos, new Shape(seq, d)), OwnedArrays.of(s, sin, new Shape(seq, d))};
    }

    /** nn.LayerNorm over the last dim: biased variance, eps from the config. */
    private NDArray layerNorm(NDArray x, NDArray weight, NDArray bias) {
        NDArray centred = x.sub(x.mean(new int[] {-1}, true));
        NDArray var = centred.square().mean(new int[] {-1}, true);
        return centred.div(var.add((float) config.layerNormEps()).sqrt()).mul(weight).add(bias);
    }

    /** Exact GELU: 0.5·x·(1 + erf(x/√2)) (hidden_act "gelu", not the tanh approximation). */
    private static NDArray gelu(NDArray x) {
        return Scalars.mul(x, 0.5).mul(Scalars.div(x, Math.sqrt(2)).erf().add(1f));
    }

    private static FloatTensor tensor(NDArray x) {
        return new FloatTensor(x.toFloatArray(), x.getShape().getShape());
    }

    private NDArray load(SafetensorsFile st, String name, long... shape) {
        if (!st.contains(name)) {
            throw new T2lException(st.file() + ": missing tensor " + name + " (NewModel weights)");
        }
        FloatTensor t = st.read(name);
        if (!java.util.Arrays.equals(t.shape(), shape)) {
            throw new T2lException(st.file() + ": tensor " + name + " has shape " + java.util.Arrays.toString(t.shape())
                    + ", expected " + java.util.Arrays.toString(shape) + " from config.json");
        }
        return OwnedArrays.of(manager, t.data(), new Shape(shape));
    }

    @Override
    public void close() {
        manager.close();
    }
}
