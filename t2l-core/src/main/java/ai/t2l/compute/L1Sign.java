package ai.t2l.compute;

import java.nio.ByteBuffer;

/**
 * The per-value step of an L1 loss that Java computes for the engine's autograd (train/JavaL1): the absolute
 * difference summed, the prediction replaced by its gradient direction.
 */
public final class L1Sign {
    private L1Sign() {}

    /**
     * For i &lt; n, with d = p[at + i] − t[tOff + i] (p and out: float32 memory in native byte order, indices in
     * floats): acc[i] += |d| and out[at + i] = sgn(d) · scale; on the Vector API when it is present (the same bits
     * either way).
     */
    public static void apply(ByteBuffer p, ByteBuffer out, int at, float[] t, int tOff, int n, float scale,
            float[] acc) {
        Kernels.best().l1Sign(p, out, at, t, tOff, 0, n, scale, acc);
    }

    /**
     * torch's sgn: ±1 with d's sign, 0 for ±0 (a NaN gives ±1, but then the loss is NaN and the step stops). With bit
     * operations and no branch: the signs of a loss's differences are random, and Math.signum, compiled with a
     * branch, ran at 5 ns per value here against 1 (BENCHMARKS.md, issue 16, fourteenth session).
     */
    public static float sgn(float d) {
        int bits = Float.floatToRawIntBits(d);
        int nonZero = (bits & 0x7fffffff) == 0 ? 0 : -1;
        return Float.intBitsToFloat(((bits & 0x80000000) | 0x3f800000) & nonZero);
    }
}
