package ai.t2l.train;

/**
 * AdamW + linear warm-up/decay + clipping settings (spec §5.3, §6.4). Config key names follow the reference's.
 */
public record OptimConfig(double lr, double weightDecay, double warmupFrac, double maxGradNorm) {
    public AdamW.Settings adamW() {
        return AdamW.Settings.of(weightDecay);
    }
}
