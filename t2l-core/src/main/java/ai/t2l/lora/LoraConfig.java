package ai.t2l.lora;

import java.util.List;

/**
 * The LoRA hyper-parameters that change numbers: rank, alpha, rsLoRA, dropout (training only) and the target
 * modules, in an explicit order (the reference's order comes from a Python set; ours is recorded, see T2L-SPEC §2.3).
 */
public record LoraConfig(int r, double alpha, boolean useRslora, double dropout, List<String> targetModules) {
    public LoraConfig {
        if (r <= 0) {
            throw new IllegalArgumentException("LoRA rank r must be positive, got " + r);
        }
        if (!Double.isFinite(alpha)) { // a NaN alpha makes every adapted output NaN (issue 10 item 8)
            throw new IllegalArgumentException("LoRA alpha must be a finite number, got " + alpha);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + dropout);
        }
        targetModules = List.copyOf(targetModules);
    }

    /** PEFT's scaling: alpha/r, or alpha/sqrt(r) with rsLoRA (T2L: 16/sqrt(8) = 5.657). */
    public double scaling() {
        return useRslora ? alpha / Math.sqrt(r) : alpha / r;
    }

    /** The reference T2L defaults: r 8, alpha 16, rsLoRA, dropout 0.05, q_proj and v_proj. */
    public static LoraConfig t2lDefault() {
        return new LoraConfig(8, 16, true, 0.05, List.of("q_proj", "v_proj"));
    }
}
