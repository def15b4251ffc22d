package ai.t2l.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import ai.t2l.compute.Autograd;
import ai.t2l.compute.GeluTanh;
import ai.t2l.compute.Silu;
import ai.t2l.compute.Softcap;
import ai.t2l.io.T2lException;
import java.nio.ByteBuffer;
import java.util.function.UnaryOperator;

/** The MLP activations of the supported families, as differentiable NDArray ops. */
public final class Activations {
    /** sqrt(2/pi), the constant of PyTorch's tanh GELU (aten GeluKernel: kBeta = M_SQRT2 * M_2_SQRTPI * 0.5). */
    private static final float GELU_BETA = (float) Math.sqrt(2.0 / Math.PI);
    private static final float GELU_KAPPA = 0.044715f;

    private Activations() {}

    static UnaryOperator<NDArray> of(String name, String source) {
        return switch (name) {
            // HF ACT2FN["silu"] = nn.SiLU: x * sigmoid(x)
            case "silu", "swish" -> Activations::silu;
            // HF ACT2FN["gelu_pytorch_tanh"] = F.gelu(x, approximate="tanh"): 0.5 x (1 + tanh(beta (x + kappa x^3)))
            case "gelu_pytorch_tanh", "gelu_new" -> Activations::geluTanh;
            // HF ACT2FN["gelu"] = F.gelu(x) with the exact erf form (torch's default)
            case "gelu" -> Activation::gelu;
            default -> throw new T2lException(source + ": field 'hidden_act' is '" + name
                    + "'; supported: silu, gelu_pytorch_tanh, gelu_new, gelu");
        };
    }

    /**
     * silu(x) = x · sigmoid(x). When nothing can record it for backward ({@link Autograd}), x is float32 and the
     * engine hands out its own memory, it is computed in place in one pass ({@link Silu}) and x itself is returned:
     * the engine's sigmoid and product take two passes and two allocations (0.27 against 0.07 ms on a (512, 512)
     * array, BENCHMARKS.md, issue 16, ninth session). Otherwise the engine's ops, a new array. So x must be a
     * temporary the caller does not read again (a projection's output).
     */
    public static NDArray silu(NDArray x) {
        ByteBuffer own = inPlaceMemory(x);
        if (own != null) {
            Silu.inPlace(own, Math.toIntExact(x.size()));
            return x;
        }
        return x.mul(Activation.sigmoid(x));
    }

    /**
     * gelu_tanh(x) = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), in place under the same conditions as {@link #silu}
     * ({@link GeluTanh}: one pass instead of nine engine ops, each a new array of x's size that lived until the
     * decoder layer ended: 85 MB per layer for a 256-row prefill chunk of gemma-2-2b, docs/WEIGHTS.md "Long
     * prompts"); otherwise the engine's ops, a new array.
     */
    static NDArray geluTanh(NDArray x) {
        ByteBuffer own = inPlaceMemory(x);
        if (own != null) {
            GeluTanh.inPlace(own, Math.toIntExact(x.size()));
            return x;
        }
        NDArray inner = Scalars.mul(x.add(Scalars.mul(x.mul(x).mul(x), GELU_KAPPA)), GELU_BETA);
        return Scalars.mul(x, 0.5f).mul(inner.tanh().add(1f));
    }

    /**
     * Gemma 2's soft-capping cap·tanh(x / cap), in place under the same conditions as {@link #silu} ({@link Softcap}:
     * one pass on both cores instead of three engine ops, each a new array of x's size); otherwise the engine's ops, a
     * new array.
     */
    static NDArray softcap(NDArray x, double cap) {
        ByteBuffer own = inPlaceMemory(x);
        if (own != null) {
            Softcap.inPlace(own, Math.toIntExact(x.size()), (float) cap);
            return x;
        }
        return Scalars.mul(Scalars.div(x, (float) cap).tanh(), (float) cap);
    }

    /** x's own float32 memory when an activation may overwrite it ({@link #overwritable}), else null. */
    private static ByteBuffer inPlaceMemory(NDArray x) {
        return overwritable(x) ? EngineMemory.writableBytes(x) : null;
    }

    /**
     * Whether an op may write its result into x, a temporary its caller made: nothing records x for backward (grad
     * mode off, no gradient flag), so no saved tensor of autograd can alias it.
     */
    static boolean overwritable(NDArray x) {
        return !Autograd.mayRecord(x) && !x.hasGradient();
    }
}
