package ai.t2l.cli;

import ai.t2l.compute.WeightPrecision;
import picocli.CommandLine.Option;

/**
 * {@code --weights auto|f32|bf16|int8} for every command that runs a model for inference (docs/WEIGHTS.md). Parsed
 * and applied as soon as picocli reads it, so the library's inference loads ({@link
 * WeightPrecision#inferenceDefault}) see it without each command passing it along.
 */
public final class WeightsOption {
    @Option(names = "--weights", paramLabel = "auto|f32|bf16|int8", defaultValue = "auto",
            description = "Precision of the base model's matrices: auto (as stored: bf16 folders memory-mapped), f32,"
                    + " bf16, int8 (Q8_0 blocks quantized at load) (default: ${DEFAULT-VALUE})")
    void set(String value) {
        System.setProperty(WeightPrecision.PROPERTY, WeightPrecision.parse(value).label());
    }
}
