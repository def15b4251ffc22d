package ai.t2l.compute;

/**
 * Finiteness of float32 arrays on this JVM's best kernels ({@link Kernels#firstNonFinite}): the Vector API scan
 * tests 16 values with two instructions where the plain loop compares one at a time.
 */
public final class FloatScan {
    private FloatScan() {}

    /** The index of the first NaN or infinity of {@code x}, or -1. */
    public static int firstNonFinite(float[] x) {
        return Kernels.best().firstNonFinite(x, 0, x.length);
    }
}
