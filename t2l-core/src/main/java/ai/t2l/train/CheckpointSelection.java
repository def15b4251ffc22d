package ai.t2l.train;

/**
 * Checkpoint selection by an evaluation score, as the reference's {@code watcher.py} does for T2L and the multi-task
 * LoRA (spec §6.6): every validation point (step 0 included) is a checkpoint; {@code scorer} evaluates the current
 * weights (the reference: the 7 benchmarks' validation splits with LoRAs from the held-out descriptions, mean of
 * {@code benchmark_avg}); the highest score is kept as the result, and training stops once {@code patience}
 * checkpoints have passed without beating it (the reference: 50). A tie does not beat the best.
 */
public record CheckpointSelection(Scorer scorer, int patience) {
    public CheckpointSelection {
        if (patience <= 0) {
            throw new IllegalArgumentException("selection patience must be positive, got " + patience);
        }
    }

    /** Scores the weights the trainer holds now; higher is better. Called with training paused. */
    @FunctionalInterface
    public interface Scorer {
        double score(long step);
    }
}
