package ai.t2l.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Float views of engine arrays' memory, for Java loops that replace many full-size engine passes by one (adapter
 * readout, the optimiser step). DJL's {@code toByteBuffer(true)} wraps a contiguous tensor's own memory without a
 * copy, but silently hands out a fresh copy for a strided view; {@link #writable} tells the two apart, so a
 * caller never writes into a copy that is then thrown away.
 */
public final class EngineMemory {
    private EngineMemory() {}

    /** The array's float32 values (its own memory, or a contiguous copy when it is a strided view): read only. */
    public static FloatBuffer readable(NDArray a) {
        return readableBytes(a).asFloatBuffer();
    }

    /** {@link #readable} as bytes, in native order (what the Vector API reads). */
    public static ByteBuffer readableBytes(NDArray a) {
        requireFloat32(a);
        return a.toByteBuffer(true).order(ByteOrder.nativeOrder());
    }

    /**
     * The array's own float32 memory, to update it in place; null when the engine would only hand out a copy
     * (a strided view) or the array is not float32. Checked by writing through one view and reading through a
     * second one: both alias the tensor exactly when no copy was made.
     */
    public static FloatBuffer writable(NDArray a) {
        ByteBuffer b = writableBytes(a);
        return b == null ? null : b.asFloatBuffer();
    }

    /** {@link #writable} as bytes, in native order (what the Vector API reads). */
    public static ByteBuffer writableBytes(NDArray a) {
        if (a.getDataType() != DataType.FLOAT32 || a.size() == 0) {
            return null;
        }
        ByteBuffer first = readableBytes(a);
        ByteBuffer second = readableBytes(a);
        float kept = first.getFloat(0);
        float probe = kept == 1f ? 2f : 1f;
        first.putFloat(0, probe);
        boolean aliased = second.getFloat(0) == probe;
        first.putFloat(0, kept);
        return aliased ? first : null;
    }

    private static void requireFloat32(NDArray a) {
        if (a.getDataType() != DataType.FLOAT32) {
            throw new IllegalStateException("expected a float32 array, got " + a.getDataType() + " " + a.getShape());
        }
    }
}
