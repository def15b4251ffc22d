package ai.t2l.model;

import ai.t2l.io.FloatTensor;
import ai.t2l.io.T2lException;
import ai.t2l.io.TensorSource;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Seeded random weights for a config, made in memory (benchmarks, tests): matrices uniform with standard deviation
 * {@code std}, norm weights 1. Each tensor's values depend only on the seed and its name.
 */
public final class RandomWeights implements TensorSource {
    private final Map<String, long[]> layout;
    private final long seed;
    private final double std;

    public RandomWeights(ModelConfig config, long seed, double std) {
        this.layout = TensorLayout.of(config);
        this.seed = seed;
        this.std = std;
    }

    @Override
    public Set<String> names() {
        return layout.keySet();
    }

    @Override
    public boolean contains(String name) {
        return layout.containsKey(name);
    }

    @Override
    public long[] shape(String name) {
        long[] s = layout.get(name);
        if (s == null) {
            throw new T2lException(describe() + ": missing tensor '" + name + "'");
        }
        return s.clone();
    }

    @Override
    public FloatTensor read(String name) {
        long[] shape = shape(name);
        float[] data = new float[(int) FloatTensor.numel(shape)];
        if (shape.length == 1 && name.endsWith("norm.weight")) {
            java.util.Arrays.fill(data, 1f);
        } else {
            SplittableRandom rng = new SplittableRandom(seed * 31 + name.hashCode());
            double half = std * Math.sqrt(3); // U(-a, a) has standard deviation a / sqrt(3)
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) rng.nextDouble(-half, half);
            }
        }
        return new FloatTensor(data, shape);
    }

    @Override
    public String describe() {
        return "random weights (seed " + seed + ")";
    }

    @Override
    public void close() {}
}
