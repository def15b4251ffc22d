package ai.t2l.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.t2l.lora.LoraConfig;
import ai.t2l.lora.LoraWeights.Site;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A tiny hypernetwork for trainer tests: h = tanh(W1·e + b1), then one head per (layer, module) emitting
 * r·(in + out) values split into A (r, in) and B (r, out)ᵀ as in the L variant (spec §2.6). Bias-HyperInit
 * (spec §2.8): head weights 0 and bias = (A0, 0), so it starts by emitting A = A0, B = 0.
 */
final class TinyHyper implements LoraSource {
    final LoraConfig config;
    final ParamSet params;
    final int layers;
    final int dim;

    TinyHyper(NDManager m, LoraConfig config, TrainableLm lm, int embDim, int width, long seed) {
        this.config = config;
        this.layers = lm.numLayers();
        this.dim = lm.hiddenSize();
        this.params = new ParamSet(m);
        DataType t = lm.dataType();
        Random r = new Random(seed);
        params.add("w1", gaussian(m, r, new Shape(width, embDim), 1 / Math.sqrt(embDim), t));
        params.add("b1", m.zeros(new Shape(width), t));
        int rk = config.r();
        for (int l = 0; l < layers; l++) {
            for (String module : config.targetModules()) {
                float[] bias = new float[rk * (dim + dim)];
                for (int i = 0; i < rk * dim; i++) {
                    bias[i] = (float) ((r.nextDouble() * 2 - 1) / Math.sqrt(dim));
                }
                params.add(l + "." + module + ".w", m.zeros(new Shape(bias.length, width), t));
                params.add(l + "." + module + ".b", m.create(bias).toType(t, false));
            }
        }
    }

    static NDArray gaussian(NDManager m, Random r, Shape s, double scale, DataType t) {
        float[] v = new float[(int) s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * scale);
        }
        return m.create(v, s).toType(t, false);
    }

    @Override
    public ParamSet params() {
        return params;
    }

    @Override
    public LoraConfig loraConfig() {
        return config;
    }

    @Override
    public Map<Site, GeneratedLora.Pair> generate(NDArray emb, int batch, boolean training) {
        NDArray h = emb.matMul(params.get("w1").transpose()).add(params.get("b1")).tanh(); // (batch, width)
        int rk = config.r();
        Map<Site, GeneratedLora.Pair> out = new LinkedHashMap<>();
        for (int l = 0; l < layers; l++) {
            for (String module : config.targetModules()) {
                NDArray y = h.matMul(params.get(l + "." + module + ".w").transpose()).add(params.get(l + "." + module + ".b"));
                NDArray a = y.get(":, :{}", rk * dim).reshape(batch, rk, dim);
                NDArray b = y.get(":, {}:", rk * dim).reshape(batch, rk, dim).transpose(0, 2, 1);
                out.put(new Site(l, module), new GeneratedLora.Pair(a, b));
            }
        }
        return out;
    }
}
