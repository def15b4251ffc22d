package ai.t2l.cli;

import ai.t2l.compute.Bf16Dot;
import ai.t2l.compute.Int8Rows;
import ai.t2l.compute.ProductPrecision;
import ai.t2l.io.T2lException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * A {@code --heads} or {@code --products} value, checked as picocli reads it ({@link HeadsOption},
 * {@link WeightsOption}).
 */
final class PrecisionValues {
    private PrecisionValues() {}

    /**
     * The value as a precision; a usage error of {@code command} (exit 2) for a value that is not one, or for bf16dot
     * or int8dot where the native library does not run here, saying why.
     */
    static ProductPrecision parse(CommandSpec command, String option, String value) {
        try {
            ProductPrecision p = ProductPrecision.parse(value, option);
            if (p == ProductPrecision.BF16_DOT) {
                Bf16Dot.require(option + " bf16dot");
            } else if (p == ProductPrecision.INT8_DOT) {
                Int8Rows.require(option + " int8dot");
            }
            return p;
        } catch (T2lException e) {
            throw new ParameterException(command.commandLine(), e.getMessage());
        }
    }
}
