package ai.t2l.cli;

import ai.t2l.compute.F32Matrix;
import ai.t2l.compute.ProductPrecision;
import ai.t2l.compute.WeightPrecision;
import ai.t2l.io.T2lException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --weights auto|f32|bf16|int8} and {@code --products f32|bf16dot} for every command that runs a model for
 * inference (docs/WEIGHTS.md, docs/PERFORMANCE.md). Parsed and applied as soon as picocli reads them, so the
 * library's inference loads ({@link WeightPrecision#inferenceDefault}, {@link F32Matrix}) see them without each
 * command passing them along.
 */
public final class WeightsOption {
    /** The command this is mixed into: a bad value is its usage error (exit 2), not a failed setter call. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--weights", paramLabel = "auto|f32|bf16|int8", defaultValue = "auto",
            description = "Precision of the base model's matrices: auto (as stored: bf16 folders memory-mapped), f32,"
                    + " bf16, int8 (Q8_0 blocks quantized at load) (default: ${DEFAULT-VALUE})")
    void set(String value) {
        try {
            System.setProperty(WeightPrecision.PROPERTY, WeightPrecision.parse(value).label());
        } catch (T2lException e) {
            throw new ParameterException(mixee.commandLine(), e.getMessage());
        }
    }

    @Option(names = "--products", paramLabel = "f32|bf16dot|int8dot",
            description = "Precision of the batched and prompt products of float32 matrices (a float32 model, or"
                    + " --weights f32) and of bf16 weights' batched decode and prompts: f32 (default; the reference's"
                    + " numbers) or bf16dot (weights and activations rounded to bfloat16, AVX512_BF16 dot products in"
                    + " a native library the ./t2l launcher builds: faster prefill and batched decode, logits move by"
                    + " the rounding, see docs/PERFORMANCE.md); or int8dot, for int8 weights (--weights int8, a"
                    + " quantized folder): all their products on activations quantized to int8 blocks too, llama.cpp's"
                    + " Q8_0 x Q8_0, AVX512_VNNI in the same library (about twice the batched decode and prompt speed,"
                    + " batch 1 as fast; the logits' error is in docs/WEIGHTS.md). Unset: -Dt2l.products, else f32")
    void products(String value) {
        ProductPrecision p = PrecisionValues.parse(mixee, "--products", value);
        if (p == ProductPrecision.BF16) {
            throw new ParameterException(mixee.commandLine(), "--products: bf16 is --weights bf16 (weights rounded,"
                    + " products float32); --products takes f32, bf16dot or int8dot");
        }
        System.setProperty(F32Matrix.PRODUCTS_PROPERTY, p.label());
    }
}
