package ai.t2l.train;

import ai.t2l.io.FloatTensor;
import ai.t2l.io.TensorSource;
import ai.t2l.model.Family;
import ai.t2l.model.ModelConfig;
import ai.t2l.model.RandomWeights;
import ai.t2l.model.Transformer;
import java.util.Set;

/** Fresh base models to train from scratch (the miniature's generalist, DESIGN §4). */
public final class BaseModels {
    /** HF transformers' initializer_range default for Llama/Mistral/Qwen2/Gemma2 (normal std 0.02; here uniform). */
    public static final double INIT_STD = 0.02;

    private BaseModels() {}

    /**
     * A seeded random model of any supported family: every matrix uniform with standard deviation {@link #INIT_STD}
     * (the runtime's {@link RandomWeights}), every norm an identity scale. Same config and seed, same weights.
     */
    public static Transformer fresh(ModelConfig config, long seed) {
        RandomWeights random = new RandomWeights(config, seed, INIT_STD);
        // Gemma 2 scales by (1 + w), so its identity norm is stored as 0, as HF initialises it
        return Transformer.create(config, config.family() == Family.GEMMA2 ? zeroNorms(random) : random);
    }

    private static TensorSource zeroNorms(TensorSource s) {
        return new TensorSource() {
            public Set<String> names() {
                return s.names();
            }

            public boolean contains(String name) {
                return s.contains(name);
            }

            public long[] shape(String name) {
                return s.shape(name);
            }

            public FloatTensor read(String name) {
                long[] shape = s.shape(name);
                return name.endsWith("norm.weight") ? new FloatTensor(new float[(int) FloatTensor.numel(shape)], shape)
                        : s.read(name);
            }

            public String describe() {
                return s.describe();
            }

            public void close() {
                s.close();
            }
        };
    }
}
