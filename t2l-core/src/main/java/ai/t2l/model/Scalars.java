package ai.t2l.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Array-and-number arithmetic that is safe under autograd. DJL's {@code mul(Number)}, {@code div(Number)} and
 * {@code pow(Number)} wrap the number in a Java direct buffer and close it right after the op, but autograd has saved
 * that scalar for backward; once the garbage collector frees the buffer, backward multiplies by whatever lives there
 * now (random wrong gradients and NaN, seen in the miniature build). These put the number in PyTorch's memory, with
 * the array's data type (a float32 array times a float32 scalar: the same bits as DJL's op). Use them on every path
 * that backward goes through; see also {@link OwnedArrays}.
 */
public final class Scalars {
    private Scalars() {}

    public static NDArray mul(NDArray x, double s) {
        try (NDArray c = scalar(x, s)) {
            return x.mul(c);
        }
    }

    public static NDArray div(NDArray x, double s) {
        try (NDArray c = scalar(x, s)) {
            return x.div(c);
        }
    }

    public static NDArray pow(NDArray x, double exponent) {
        try (NDArray c = scalar(x, exponent)) {
            return x.pow(c);
        }
    }

    /** A 0-dim array of {@code x}'s data type in PyTorch's memory (closing it later is safe: autograd keeps a ref). */
    private static NDArray scalar(NDArray x, double v) {
        NDManager m = x.getManager();
        NDArray blob = switch (x.getDataType()) {
            case FLOAT64 -> m.create(v);
            case FLOAT32 -> m.create((float) v);
            default -> throw new IllegalArgumentException("scalar arithmetic on a " + x.getDataType() + " array");
        };
        try (blob) {
            return blob.duplicate();
        }
    }
}
