package ai.t2l.compute;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link F32Matrix#multiply} on the Java kernel ({@link F32Gemm}) for many-row products without gradients gives the
 * engine's x·Wᵀ + b (3-d activations, bias or none), and leaves every product that autograd or decode needs to the
 * engine.
 */
class F32GemmTest {
    private static NDArray random(NDManager m, SplittableRandom r, long... shape) {
        float[] d = new float[(int) new Shape(shape).size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) r.nextGaussian() * 0.5f;
        }
        return m.create(d, new Shape(shape));
    }

    @Test
    void manyRowsWithoutGradientsMatchTheEngine() {
        SplittableRandom r = new SplittableRandom(5);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray w = random(m, r, 203, 96);
            NDArray b = random(m, r, 203);
            NDArray x = random(m, r, 2, 37, 96); // 74 rows: two full 32-row blocks and a partial one
            for (NDArray bias : new NDArray[] {b, null}) {
                assertTrue(F32Gemm.applies(x, w, bias), "prefill-sized product without gradients");
                NDArray want = Linear.linear(x, w, bias).singletonOrThrow();
                NDArray got = new F32Matrix(w).multiply(x, bias);
                assertArrayEquals(want.getShape().getShape(), got.getShape().getShape(), "shape");
                float[] a = want.toFloatArray();
                float[] g = got.toFloatArray();
                for (int i = 0; i < a.length; i++) {
                    if (Math.abs(a[i] - g[i]) > 1e-5f) {
                        throw new AssertionError("element " + i + ": engine " + a[i] + ", java " + g[i]);
                    }
                }
            }
        }
    }

    @Test
    void productsThatNeedTheEngineStayThere() {
        SplittableRandom r = new SplittableRandom(6);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray w = random(m, r, 64, 48);
            assertFalse(F32Gemm.applies(random(m, r, 8, 48), w, null), "decode-sized: below 32 rows");
            NDArray x = random(m, r, 40, 48);
            x.setRequiresGradient(true);
            assertFalse(F32Gemm.applies(x, w, null), "activations that need a gradient (training)");
            NDArray w2 = random(m, r, 64, 48);
            w2.setRequiresGradient(true);
            assertFalse(F32Gemm.applies(random(m, r, 40, 48), w2, null), "a trainable weight");
        }
    }
}
