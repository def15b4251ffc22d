package ai.t2l.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.t2l.model.Scalars;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A tiny pre-norm causal transformer made in code (one head, RMS norm, tanh MLP), in float32 or float64, with
 * q_proj/v_proj adaptable: the trainers' test double for the runtime's Transformer.
 */
final class TinyLm implements TrainableLm, AutoCloseable {
    final int vocab;
    final int hidden;
    final int layers;
    final DataType type;
    final NDManager manager;
    final Map<String, NDArray> w = new LinkedHashMap<>();

    TinyLm(int vocab, int hidden, int layers, long seed, DataType type) {
        this.vocab = vocab;
        this.hidden = hidden;
        this.layers = layers;
        this.type = type;
        this.manager = NDManager.newBaseManager();
        Random r = new Random(seed);
        put("embed", r, vocab, hidden, 1.0);
        for (int l = 0; l < layers; l++) {
            for (String p : new String[] {"q_proj", "k_proj", "v_proj", "o_proj", "up", "down"}) {
                put(l + "." + p, r, hidden, hidden, 1 / Math.sqrt(hidden));
            }
        }
        put("head", r, vocab, hidden, 1 / Math.sqrt(hidden));
    }

    private void put(String name, Random r, int rows, int cols, double scale) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * scale);
        }
        w.put(name, manager.create(v, new Shape(rows, cols)).toType(type, false));
    }

    @Override
    public int numLayers() {
        return layers;
    }

    @Override
    public int hiddenSize() {
        return hidden;
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public int[] moduleDims(String module) {
        return new int[] {hidden, hidden};
    }

    @Override
    public DataType dataType() {
        return type;
    }

    @Override
    public NDArray logits(NDArray ids, GeneratedLora lora, NDArray noise) {
        long b = ids.getShape().get(0);
        long s = ids.getShape().get(1);
        NDArray x = ids.oneHot(vocab).toType(type, false).matMul(w.get("embed")); // (b, s, d)
        if (noise != null) {
            x = x.add(noise);
        }
        float[] maskV = new float[(int) (s * s)];
        for (int i = 0; i < s; i++) {
            for (int j = i + 1; j < s; j++) {
                maskV[(int) (i * s + j)] = -1e9f;
            }
        }
        NDArray mask = ids.getManager().create(maskV, new Shape(1, s, s)).toType(type, false);
        for (int l = 0; l < layers; l++) {
            NDArray n = rms(x);
            NDArray q = proj(n, l, "q_proj", lora);
            NDArray k = proj(n, l, "k_proj", null);
            NDArray v = proj(n, l, "v_proj", lora);
            // Scalars.div, not div(Number): autograd saves the divisor, and DJL's Number wrapper is Java memory the GC
            // frees once the op returns (README); with div(Number) this test's SFT run hit random NaN gradients
            NDArray att = Scalars.div(q.batchMatMul(k.transpose(0, 2, 1)), Math.sqrt(hidden)).add(mask).softmax(-1);
            x = x.add(proj(att.batchMatMul(v), l, "o_proj", null));
            x = x.add(proj(proj(rms(x), l, "up", null).tanh(), l, "down", null));
        }
        return rms(x).matMul(w.get("head").transpose()); // (b, s, vocab)
    }

    private NDArray proj(NDArray x, int l, String module, GeneratedLora lora) {
        NDArray y = x.matMul(w.get(l + "." + module).transpose());
        return lora != null && lora.adapts(l, module) ? y.add(lora.delta(l, module, x)) : y;
    }

    private static NDArray rms(NDArray x) {
        return x.div(x.square().mean(new int[] {-1}, true).add(1e-6).sqrt());
    }

    @Override
    public ParamSet weights() {
        return ParamSet.wrap(manager, w);
    }

    @Override
    public void close() {
        manager.close();
    }
}
