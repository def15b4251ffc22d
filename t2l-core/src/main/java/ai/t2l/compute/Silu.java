package ai.t2l.compute;

import java.nio.ByteBuffer;

/** SiLU on float32 memory, on this JVM's best kernels ({@link Kernels#silu}). */
public final class Silu {
    private Silu() {}

    /** x · sigmoid(x) in place on the first n float32 values of {@code b} (in b's byte order), rounded as PyTorch. */
    public static void inPlace(ByteBuffer b, int n) {
        if (4L * n > b.capacity()) {
            throw new IllegalArgumentException("silu: " + n + " floats in a buffer of " + b.capacity() + " bytes");
        }
        Kernels k = Kernels.best();
        if (n < VectorKernels.SILU_VECTOR_MIN) {
            ComputePool.forRange(n, n, (from, to) -> k.silu(b, from, to)); // the plain loop on both cores (GeluTanh)
        } else {
            k.silu(b, 0, n);
        }
    }

    /** x · sigmoid(x) in place on a[from, to): the same bits as the buffer form. */
    public static void inPlace(float[] a, int from, int to) {
        java.util.Objects.checkFromToIndex(from, to, a.length);
        Kernels.best().silu(a, from, to);
    }

    /**
     * {@link #inPlace(float[], int, int)} on a part of one operation over {@code whole} values (one core's share, or
     * one block of rows), which decides the kernel's form as the whole would: the same bits either way.
     */
    public static void inPlace(float[] a, int from, int to, long whole) {
        java.util.Objects.checkFromToIndex(from, to, a.length);
        Kernels.best().silu(a, from, to, whole);
    }
}
