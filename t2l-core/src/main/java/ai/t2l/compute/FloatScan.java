package ai.t2l.compute;

import java.nio.FloatBuffer;

/**
 * Finiteness of float32 arrays on this JVM's best kernels ({@link Kernels#firstNonFinite}): the Vector API scan
 * tests 16 values with two instructions where the plain loop compares one at a time. And whether a buffer is all
 * +0.0, which generation asks once per hypernetwork of its offsets.
 */
public final class FloatScan {
    private FloatScan() {}

    /** The index of the first NaN or infinity of {@code x}, or -1. */
    public static int firstNonFinite(float[] x) {
        return Kernels.best().firstNonFinite(x, 0, x.length);
    }

    /** The index of the first NaN or infinity of {@code x[from..to)}, or -1. */
    public static int firstNonFinite(float[] x, int from, int to) {
        return Kernels.best().firstNonFinite(x, from, to);
    }

    /** Whether every value of {@code b} (from 0 to its limit) is +0.0: its bits all zero. */
    public static boolean allPositiveZero(FloatBuffer b) {
        for (int i = 0; i < b.limit(); i++) {
            if (Float.floatToRawIntBits(b.get(i)) != 0) {
                return false;
            }
        }
        return true;
    }
}
