package ai.t2l.compute;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Hands float32 data from Java to the engine without leaving garbage native memory behind. DJL's
 * {@code create(float[])} copies into a fresh Java direct buffer that only the garbage collector frees: with a
 * 16 MB weight tile per prefill product and a logits-sized output per decode step, gigabytes of such buffers piled up
 * between collections (gemma-2-2b bf16: peak RSS 13.97 GB for 5.23 GB of weights). One direct buffer per thread is
 * reused instead.
 */
public final class Staging {
    private static final ThreadLocal<ByteBuffer> BUFFER =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder()));

    private Staging() {}

    private static ByteBuffer staged(float[] data, int n) {
        ByteBuffer b = BUFFER.get();
        if (b.capacity() < 4L * n) {
            b = ByteBuffer.allocateDirect(Math.multiplyExact(4, n)).order(ByteOrder.nativeOrder());
            BUFFER.set(b);
        }
        b.clear();
        b.asFloatBuffer().put(data, 0, n);
        ByteBuffer view = b.duplicate().order(ByteOrder.nativeOrder());
        view.position(0).limit(4 * n);
        return view;
    }

    /**
     * An engine array over this thread's staging buffer (no copy): valid until the next call on this thread, so
     * use it at once and close it.
     */
    static NDArray view(NDManager m, float[] data, int n, Shape shape) {
        return m.create(staged(data, n), shape, DataType.FLOAT32);
    }

    /** A new float32 engine array and its own memory, for a Java loop to fill (its values start undefined). */
    public record Fresh(NDArray array, FloatBuffer memory) {}

    /**
     * An empty PyTorch-owned array of this shape and the memory it owns: a contiguous tensor's
     * {@code toByteBuffer(true)} wraps that memory without a copy. One engine call fewer than a duplicate of
     * {@link #view} (create over the staging buffer, then duplicate), which measured 8 against 5 µs per decode
     * product.
     */
    public static Fresh fresh(NDManager m, Shape shape) {
        NDArray a = m.create(shape, DataType.FLOAT32);
        return new Fresh(a, a.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer());
    }

    /**
     * A new engine array holding {@code data} (its size is the shape's), copied once: a duplicate of {@link #view}
     * copies twice (into the staging buffer, then the engine's), and a product's output is copied this way at every
     * decode step (at batch 8, 31 MB per gemma-2-2b step).
     */
    public static NDArray copyOf(NDManager m, float[] data, Shape shape) {
        Fresh out = fresh(m, shape);
        out.memory().put(0, data, 0, Math.toIntExact(shape.size()));
        return out.array();
    }
}
