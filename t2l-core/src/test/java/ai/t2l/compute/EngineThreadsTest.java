package ai.t2l.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.Test;

/** One libtorch thread inside a pass that asks for it, the count before restored after, and nothing otherwise. */
class EngineThreadsTest {
    @Test
    void oneThreadInsideAndTheCountRestoredAfter() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) { // the engine is loaded
            int before = JniUtils.getNumThreads();
            try {
                JniUtils.setNumThreads(2);
                try (EngineThreads t = EngineThreads.oneIf(true)) {
                    assertEquals(1, JniUtils.getNumThreads());
                }
                assertEquals(2, JniUtils.getNumThreads());
                try (EngineThreads t = EngineThreads.oneIf(false)) {
                    assertEquals(2, JniUtils.getNumThreads());
                }
                assertEquals(2, JniUtils.getNumThreads());
            } finally {
                JniUtils.setNumThreads(before);
            }
        }
    }
}
