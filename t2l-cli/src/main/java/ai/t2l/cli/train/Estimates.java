package ai.t2l.cli.train;

import ai.t2l.io.FloatTensor;
import ai.t2l.lora.LoraConfig;
import ai.t2l.model.ModelConfig;
import ai.t2l.model.TensorLayout;
import java.io.PrintWriter;
import java.util.Locale;

/** Parameter counts and a rough memory estimate for --dry-run (float32 everywhere, DESIGN §2). */
final class Estimates {
    private Estimates() {}

    static long baseParams(ModelConfig c) {
        return TensorLayout.of(c).values().stream().mapToLong(FloatTensor::numel).sum();
    }

    /** r·(in + out) per adapted projection and layer. */
    static long loraParams(ModelConfig c, LoraConfig l) {
        long n = 0;
        for (String m : l.targetModules()) {
            n += (long) l.r() * (c.inFeatures(m) + c.outFeatures(m));
        }
        return n * c.numLayers();
    }

    /**
     * Activations kept for backward, per row of length seq: per layer about 16 hidden-wide and 3 MLP-wide vectors
     * per token plus the attention probabilities (heads × seq), and the logits three times (logits, log-softmax,
     * gradient). A rough upper guide, not a measurement.
     */
    static long activationBytes(ModelConfig c, int rows, int seq) {
        long perLayer = 16L * c.hiddenSize() + 3L * c.intermediateSize() + 2L * c.numHeads() * seq;
        return 4L * rows * seq * (c.numLayers() * perLayer + 3L * c.vocabSize());
    }

    /**
     * @param frozen    parameters held but not trained (the base model under a LoRA)
     * @param trainable parameters with gradient and two AdamW moments (4 copies)
     */
    static void print(PrintWriter out, long frozen, long trainable, long activations) {
        long weights = 4L * frozen;
        long training = 16L * trainable;
        out.printf(Locale.ROOT, "parameters: %,d trainable, %,d frozen%n", trainable, frozen);
        out.printf(Locale.ROOT, "estimated memory: %s = frozen weights %s + trainable (weights, gradients, AdamW"
                + " moments) %s + activations %s (rough)%n", gib(weights + training + activations), gib(weights),
                gib(training), gib(activations));
    }

    static String gib(long bytes) {
        return bytes >= 1L << 30 ? String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30))
                : String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }
}
