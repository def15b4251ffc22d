package ai.t2l.generate;

import java.util.random.RandomGenerator;

/** Picks the next token from one row of logits. */
@FunctionalInterface
public interface Sampler {
    int sample(float[] logits, RandomGenerator rng);

    /** argmax; the first index wins ties, like torch.argmax. */
    Sampler GREEDY = (logits, rng) -> argmax(logits);

    /** Softmax sampling at {@code temperature}, restricted to the top-p nucleus (HF TemperatureLogitsWarper + TopPLogitsWarper). */
    static Sampler temperature(double temperature, double topP) {
        return new TopPSampler(temperature, topP);
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}
