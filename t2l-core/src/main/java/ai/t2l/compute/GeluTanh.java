package ai.t2l.compute;

import java.nio.ByteBuffer;

/** GELU, tanh form, on float32 memory, on this JVM's best kernels ({@link Kernels#geluTanh}). */
public final class GeluTanh {
    private GeluTanh() {}

    /** In place on the first n float32 values of {@code b} (in b's byte order). */
    public static void inPlace(ByteBuffer b, int n) {
        if (4L * n > b.capacity()) {
            throw new IllegalArgumentException("gelu: " + n + " floats in a buffer of " + b.capacity() + " bytes");
        }
        Kernels k = Kernels.best();
        if (n < VectorKernels.SILU_VECTOR_MIN) {
            // the plain loop (see SILU_VECTOR_MIN) on both cores: a gemma-2-2b batch-8 decode step has 26 of 73,728
            // values, 8 ms of the calling thread while the pool's other thread waited
            ComputePool.forRange(n, n, (from, to) -> k.geluTanh(b, from, to));
        } else {
            k.geluTanh(b, 0, n);
        }
    }
}
