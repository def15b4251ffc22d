package ai.t2l.cli;

import ai.t2l.compute.ProductPrecision;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --heads f32|bf16|bf16dot} for the commands that generate adapters while they run (run, serve, eval run):
 * the precision of the hypernetwork's products, as {@code t2l generate --heads} (docs/PERFORMANCE.md). Applied as
 * soon as picocli reads it, through the property every hypernetwork loaded afterwards starts from
 * ({@code t2l.hypernet.heads}), so a user does not have to replace the launcher's heap options with
 * {@code T2L_JAVA_OPTS} to set it.
 */
public final class HeadsOption {
    /** The property {@code ai.t2l.hypernet.HyperModulator} reads its default from. */
    static final String PROPERTY = "t2l.hypernet.heads";

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--heads", paramLabel = "f32|bf16|bf16dot",
            description = "Precision of the hypernetwork's products when it generates adapters: f32 (default; the"
                    + " reference's numbers), bf16 (head weights rounded) or bf16dot (weights and activations of the"
                    + " heads and the trunk rounded, AVX512_BF16 dot products), as t2l generate --heads; see"
                    + " docs/PERFORMANCE.md. Unset: -Dt2l.hypernet.heads, else f32")
    void set(String value) {
        if (ProductPrecision.INT8_DOT.label().equals(value)) { // before the library's check: the value is wrong here
            throw new ParameterException(mixee.commandLine(), "--heads: int8dot is for int8 base-model weights"
                    + " (--products int8dot); --heads takes f32, bf16 or bf16dot");
        }
        System.setProperty(PROPERTY, PrecisionValues.parse(mixee, "--heads", value).label());
    }
}
