package ai.t2l.compute;

import java.nio.ByteBuffer;

/**
 * One row of label-smoothed cross-entropy (PyTorch {@code cross_entropy(..., label_smoothing=ε)}) on float32 logits in
 * native memory, its loss and its gradient in one go, on this JVM's best kernels ({@link Kernels#softmaxStats},
 * {@link Kernels#scaledExp}). With lse = log Σ e^x, the loss is (1 − ε)(lse − x_y) + ε(lse − mean x), and its
 * gradient w.r.t. x_v is softmax(x)_v − (1 − ε)[v = y] − ε / V, here times the row's weight in the reduction.
 */
public final class CrossEntropyRow {
    private CrossEntropyRow() {}

    /**
     * The loss of the row x[from, from + vocab) (indices in floats) with target class {@code target}, writing
     * weight · its gradient to grad[from, from + vocab).
     *
     * @param stats three floats of scratch
     */
    public static double lossAndGradient(ByteBuffer x, int from, int vocab, int target, double smoothing, float weight,
            ByteBuffer grad, float[] stats) {
        Kernels k = Kernels.best();
        k.softmaxStats(x, from, from + vocab, stats);
        double lse = stats[0] + Math.log(stats[1]);
        double xy = x.getFloat(4 * (from + target));
        double mean = stats[2] / (double) vocab;
        float uniform = (float) (weight * smoothing / vocab);
        k.scaledExp(x, grad, from, from + vocab, (float) lse, weight, uniform);
        int at = 4 * (from + target);
        grad.putFloat(at, grad.getFloat(at) - (float) (weight * (1 - smoothing)));
        return (1 - smoothing) * (lse - xy) + smoothing * (lse - mean);
    }
}
