package ai.t2l;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class DjlSmokeTest {
    @Test
    void pytorchEngineRunsOffline() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray a = m.create(new float[] {1, 2, 3, 4}, new ai.djl.ndarray.types.Shape(2, 2));
            assertEquals(52f, a.matMul(a.transpose()).sum().getFloat(), 1e-6);
        }
    }
}
