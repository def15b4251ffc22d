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
        Kernels.best().geluTanh(b, 0, n);
    }
}
