package ai.t2l.train;

/**
 * Hugging Face get_linear_schedule_with_warmup: the multiplier rises linearly from 0 over the warm-up steps, then
 * falls linearly to 0 at totalSteps. The optimiser step with index k (0-based) uses multiplier(k), so the very first
 * step of a run with warm-up has learning rate 0, as in the reference (spec §5.3, §6.4).
 */
public record LinearSchedule(double baseLr, long warmupSteps, long totalSteps) {
    public LinearSchedule {
        if (totalSteps <= 0 || warmupSteps < 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException(
                    "schedule needs 0 <= warmup (" + warmupSteps + ") <= total (" + totalSteps + "), total > 0");
        }
    }

    /** Warm-up as a fraction of the total, truncated to whole steps like int(warmup_frac * total). */
    public static LinearSchedule ofFraction(double baseLr, double warmupFrac, long totalSteps) {
        return new LinearSchedule(baseLr, (long) (warmupFrac * totalSteps), totalSteps);
    }

    public double multiplier(long step) {
        if (step < warmupSteps) {
            return (double) step / Math.max(1, warmupSteps);
        }
        return Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
    }

    public double lr(long step) {
        return baseLr * multiplier(step);
    }
}
