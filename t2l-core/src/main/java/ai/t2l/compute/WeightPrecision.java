package ai.t2l.compute;

import ai.t2l.io.T2lException;
import java.util.Locale;

/**
 * How a model's big matrices (projections, embedding, lm head) are held in memory. Norms and biases are always
 * float32 engine arrays (they are tiny).
 */
public enum WeightPrecision {
    /** bf16/f16 folders are used in place (memory-mapped); float32 folders stay float32. The default for inference. */
    AUTO,
    /** Everything widened to float32 engine arrays: training (autograd) and the golden tests' path. */
    F32,
    /** 16-bit: bf16/f16 folders mapped in place; float32 weights rounded to bfloat16 at load. */
    BF16,
    /** 8-bit blocks (Q8_0 layout, float32 scales), quantized at load or read from a quantized folder. */
    INT8;

    /** Parses a {@code --weights} value: auto, f32, bf16 (f16 is accepted as "keep 16-bit"), int8. */
    public static WeightPrecision parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "auto", "stored" -> AUTO;
            case "f32", "float32", "fp32" -> F32;
            case "bf16", "bfloat16", "f16", "float16", "fp16", "16" -> BF16;
            case "int8", "q8", "q8_0", "8" -> INT8;
            default -> throw new T2lException("--weights: unknown value '" + s + "' (expected auto, f32, bf16 or int8)");
        };
    }

    /**
     * The precision inference paths (run, serve, eval, logits, the base-model encoder) load models in: the
     * {@code t2l.weights} system property that {@code --weights} sets, else {@link #AUTO}. Training always loads
     * float32.
     */
    public static WeightPrecision inferenceDefault() {
        return parse(System.getProperty(PROPERTY, "auto"));
    }

    /** The system property behind {@link #inferenceDefault}. */
    public static final String PROPERTY = "t2l.weights";

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
