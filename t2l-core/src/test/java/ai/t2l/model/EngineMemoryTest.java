package ai.t2l.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/** Java views of engine memory: writes land in the tensor, and a strided view is never handed out as writable. */
class EngineMemoryTest {
    @Test
    void writableViewUpdatesTheTensorInPlace() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3));
            NDArray owned = a.add(0f); // engine-allocated memory too, not only a wrapped Java buffer
            for (NDArray x : new NDArray[] {a, owned}) {
                FloatBuffer b = EngineMemory.writable(x);
                assertNotNull(b);
                b.put(4, 50f);
                assertArrayEquals(new float[] {1, 2, 3, 4, 50, 6}, x.toFloatArray(), 0f);
            }
        }
    }

    @Test
    void stridedViewOrOtherTypeIsNotWritable() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3));
            NDArray t = a.transpose(); // a view with swapped strides: the engine would hand out a copy
            assertNull(EngineMemory.writable(t));
            assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, read(EngineMemory.readable(t)), 0f);
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, a.toFloatArray(), 0f, "the probe left no trace");
            assertNull(EngineMemory.writable(a.toType(DataType.FLOAT64, false)));
        }
    }

    private static float[] read(FloatBuffer b) {
        float[] f = new float[b.remaining()];
        b.get(f);
        return f;
    }
}
