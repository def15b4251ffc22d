package ai.t2l.generate;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Temperature + nucleus sampling. HF's TopPLogitsWarper keeps the smallest set of most likely tokens whose
 * probability reaches top_p (always at least one); we then draw from that set renormalised.
 */
record TopPSampler(double temperature, double topP) implements Sampler {
    TopPSampler {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be > 0 (use Sampler.GREEDY for 0), got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
    }

    @Override
    public int sample(float[] logits, RandomGenerator rng) {
        int n = logits.length;
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l / temperature);
        }
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp(logits[i] / temperature - max);
            sum += p[i];
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
            p[i] /= sum;
        }
        // Most likely first; equal probabilities keep index order so the draw is deterministic for a seed.
        Arrays.sort(order, (x, y) -> p[y] != p[x] ? Double.compare(p[y], p[x]) : Integer.compare(x, y));
        int keep = 0;
        double mass = 0;
        while (keep < n && (keep == 0 || mass < topP)) {
            mass += p[order[keep++]];
        }
        double u = rng.nextDouble() * mass;
        double acc = 0;
        for (int k = 0; k < keep; k++) {
            acc += p[order[k]];
            if (u < acc) {
                return order[k];
            }
        }
        return order[keep - 1];
    }
}
