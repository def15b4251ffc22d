package ai.t2l.lora;

import ai.t2l.io.FloatTensor;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One LoRA adapter held in plain float arrays: for each (layer, module) an A of shape [r, in] and a B of shape
 * [out, r], so that the module computes y = W x + scaling * B (A x). This is what the hypernetwork emits and what
 * a PEFT folder stores; the runtime turns it into engine tensors.
 */
public final class LoraWeights {
    /** One adapted projection. */
    public record Pair(FloatTensor a, FloatTensor b) {
        public Pair {
            Objects.requireNonNull(a);
            Objects.requireNonNull(b);
        }

        public int rank() {
            return (int) a.shape()[0];
        }

        public int in() {
            return (int) a.shape()[1];
        }

        public int out() {
            return (int) b.shape()[0];
        }
    }

    /** A module of one layer, e.g. (3, "v_proj"). */
    public record Site(int layer, String module) implements Comparable<Site> {
        @Override
        public int compareTo(Site o) {
            int c = Integer.compare(layer, o.layer);
            return c != 0 ? c : module.compareTo(o.module);
        }
    }

    private final LoraConfig config;
    private final Map<Site, Pair> pairs;

    public LoraWeights(LoraConfig config, Map<Site, Pair> pairs) {
        this.config = Objects.requireNonNull(config);
        this.pairs = Collections.unmodifiableMap(new TreeMap<>(pairs));
    }

    public LoraConfig config() {
        return config;
    }

    public Map<Site, Pair> pairs() {
        return pairs;
    }

    public Pair get(int layer, String module) {
        return pairs.get(new Site(layer, module));
    }

    /** Number of stored values over all A and B tensors. */
    public long numel() {
        long n = 0;
        for (Pair p : pairs.values()) {
            n += p.a().data().length + (long) p.b().data().length;
        }
        return n;
    }
}
