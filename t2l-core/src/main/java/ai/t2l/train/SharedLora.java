package ai.t2l.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.t2l.lora.LoraConfig;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.LoraWeights.Site;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One trainable LoRA shared by every row: the oracle (per-task) LoRA and the multi-task LoRA baseline (spec §5.1,
 * §9). Initialised as PEFT does: A Kaiming-uniform with a=√5, i.e. U(−1/√in, 1/√in); B zeros, so ΔW starts at 0.
 * Parameter names are {@code layers.L.MODULE.lora_A|lora_B}.
 */
public final class SharedLora implements LoraSource {
    private final LoraConfig config;
    private final ParamSet params;
    private final Map<Site, String[]> names = new LinkedHashMap<>();

    public SharedLora(NDManager manager, LoraConfig config, TrainableLm lm, Rng rng) {
        this.config = config;
        this.params = new ParamSet(manager);
        DataType type = lm.dataType();
        for (int layer = 0; layer < lm.numLayers(); layer++) {
            for (String module : config.targetModules()) {
                int[] dims = lm.moduleDims(module);
                float bound = (float) (1 / Math.sqrt(dims[0]));
                float[] a = new float[config.r() * dims[0]];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
                }
                String prefix = "layers." + layer + "." + module + ".";
                names.put(new Site(layer, module), new String[] {prefix + "lora_A", prefix + "lora_B"});
                try (NDArray aa = manager.create(a, new Shape(config.r(), dims[0])).toType(type, false);
                        NDArray bb = manager.zeros(new Shape(dims[1], config.r()), type)) {
                    params.add(prefix + "lora_A", aa);
                    params.add(prefix + "lora_B", bb);
                }
            }
        }
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
    public Map<Site, GeneratedLora.Pair> generate(NDArray taskEmbeddings, int batch, boolean training) {
        Map<Site, GeneratedLora.Pair> out = new LinkedHashMap<>();
        names.forEach((site, n) -> {
            NDArray a = params.get(n[0]);
            NDArray b = params.get(n[1]);
            out.put(site, new GeneratedLora.Pair(
                    a.expandDims(0).repeat(0, batch), b.expandDims(0).repeat(0, batch)));
        });
        return out;
    }

    /** The current values as a PEFT-ready adapter. */
    public LoraWeights toLoraWeights() {
        Map<Site, LoraWeights.Pair> pairs = new LinkedHashMap<>();
        names.forEach((site, n) -> pairs.put(site,
                new LoraWeights.Pair(ParamSet.toTensor(params.get(n[0])), ParamSet.toTensor(params.get(n[1])))));
        return new LoraWeights(config, pairs);
    }
}
