package ai.t2l.io;

import java.util.Arrays;

/**
 * Refuses NaN and infinity where they can only be corruption: loaded weights, task embeddings and generated
 * adapters. One non-finite value poisons every logit it reaches, so a model would silently answer with empty
 * text; PyTorch would do the same, which is why the check is ours (issue 10 item 8). A single pass over the
 * values, no allocation.
 */
public final class Finite {
    private Finite() {}

    /** The flat index of the first NaN or infinity, or -1 when all values are finite. */
    public static long firstNonFinite(float[] data) {
        return firstNonFinite(data, 0, data.length);
    }

    /** The index in [from, to) of the first NaN or infinity, or -1. */
    public static int firstNonFinite(float[] data, int from, int to) {
        for (int i = from; i < to; i++) {
            // x - x is 0 for finite x and NaN for NaN and both infinities: one compare per value
            if (data[i] - data[i] != 0f) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Throws a {@link T2lException} naming {@code what} (e.g. "model.safetensors: tensor 'x'"), the first bad value
     * and its index when {@code data} holds NaN or infinity; returns {@code data} otherwise.
     */
    public static float[] require(float[] data, long[] shape, String what) {
        long i = firstNonFinite(data);
        if (i >= 0) {
            throw new T2lException(what + " holds " + data[(int) i] + " at index " + index(i, shape)
                    + "; weights, embeddings and adapters must be finite (the file is corrupt or the values overflowed)");
        }
        return data;
    }

    /** {@link #require} for a tensor. */
    public static FloatTensor require(FloatTensor t, String what) {
        require(t.data(), t.shape(), what);
        return t;
    }

    /** The row-major multi-index of flat index {@code flat}, e.g. [2, 17], so the value can be found. */
    static String index(long flat, long[] shape) {
        if (shape == null || shape.length <= 1) {
            return "[" + flat + "]";
        }
        long[] idx = new long[shape.length];
        long rest = flat;
        for (int d = shape.length - 1; d >= 0; d--) {
            long n = Math.max(1, shape[d]);
            idx[d] = rest % n;
            rest /= n;
        }
        return Arrays.toString(idx);
    }
}
