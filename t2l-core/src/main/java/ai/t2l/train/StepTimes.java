package ai.t2l.train;

/**
 * Where one optimisation step's wall time went, in nanoseconds (System.nanoTime around each phase of
 * {@link Optimization#run}); read by {@code t2l bench train} for its per-phase profile. Forward includes the
 * hypernetwork's generation and the loss; zeroing is the gradient reset after the update.
 */
public record StepTimes(long forwardNs, long backwardNs, long clipNs, long optimizerNs, long zeroGradNs) {
    public static final StepTimes NONE = new StepTimes(0, 0, 0, 0, 0);

    public long totalNs() {
        return forwardNs + backwardNs + clipNs + optimizerNs + zeroGradNs;
    }
}
