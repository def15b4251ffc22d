package ai.t2l.io;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A tensor to be written in any safetensors dtype: its shape and a writer of its little-endian bytes (so that
 * gigabyte tensors stream to disk without a second copy).
 */
public record RawTensor(DType dtype, long[] shape, Body body) {
    /** Writes exactly numel(shape) · dtype.bytes bytes. */
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    public long byteLength() {
        return Math.multiplyExact(FloatTensor.numel(shape), dtype.bytes);
    }

    public static RawTensor ofBytes(DType dtype, long[] shape, byte[] data) {
        return new RawTensor(dtype, shape, out -> out.write(data));
    }

    public static RawTensor ofFloats(long[] shape, float[] data) {
        return new RawTensor(DType.F32, shape, out -> {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1 << 16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < data.length; ) {
                b.clear();
                int n = Math.min(data.length - i, b.capacity() / 4);
                b.asFloatBuffer().put(data, i, n);
                out.write(b.array(), 0, n * 4);
                i += n;
            }
        });
    }
}
