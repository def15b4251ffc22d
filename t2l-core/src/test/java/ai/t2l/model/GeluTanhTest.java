package ai.t2l.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/**
 * {@link Activations#geluTanh}: in inference it works in place and matches the engine's 0.5·x·(1 + tanh(u)) and a
 * float64 evaluation to float32 rounding (vector body and scalar tail alike); under autograd it is the engine's ops,
 * with their gradient.
 */
class GeluTanhTest {
    private static final double BETA = Math.sqrt(2 / Math.PI);

    /** PyTorch's gelu(approximate="tanh") as engine ops, in its order. */
    private static NDArray engineGelu(NDArray x) {
        NDArray inner = x.add(x.mul(x).mul(x).mul(0.044715f)).mul((float) BETA);
        return x.mul(0.5f).mul(inner.tanh().add(1f));
    }

    /** In float64, as x · sigmoid(2u): the tanh form cancels to 0 for x below about −8 even in float64. */
    private static double gelu64(double x) {
        return x / (1 + Math.exp(-2 * BETA * (x + 0.044715 * x * x * x)));
    }

    @Test
    void inferenceRunsInPlaceAndMatchesTheEngine() {
        try (NDManager m = NDManager.newBaseManager()) {
            // 1,073 values (vector groups and a tail) and, in a second array, enough for the vector kernel
            for (Shape shape : new Shape[] {new Shape(37, 29), new Shape(129, 1025)}) {
                NDArray x = SeededArrays.gaussian(m, 1, shape).mul(4f);
                float[] xs = x.toFloatArray();
                float[] engine = engineGelu(x).toFloatArray();
                NDArray y = Activations.geluTanh(x);
                assertSame(x, y, "computed in place, no new array");
                float[] got = y.toFloatArray();
                for (int i = 0; i < got.length; i++) {
                    double exact = gelu64(xs[i]);
                    // the engine's 1 + tanh(u) loses the small values of the negative tail (u < −4: tanh rounds near
                    // −1); the sigmoid form keeps them, so against the engine the bound is absolute there
                    double unit = Math.ulp((float) Math.max(1.0, Math.abs(exact)));
                    // e^(−2u) amplifies the float32 roundings of its argument (five, and the float constants): a
                    // relative error up to about 8·|2u| ulp, the same for any float32 evaluation of this form
                    double twoU = 2 * BETA * (xs[i] + 0.044715 * xs[i] * xs[i] * xs[i]);
                    assertEquals(exact, got[i], (4 + 8 * Math.abs(twoU)) * Math.ulp((float) Math.abs(exact)) + 1e-30,
                            "value " + i + " at x = " + xs[i] + " vs float64");
                    assertEquals(engine[i], got[i], 4 * unit, "value " + i + " vs the engine");
                }
            }
        }
    }

    @Test
    void underAutogradItIsTheEngineOpsWithTheirGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = SeededArrays.gaussian(m, 2, new Shape(4, 9));
            x.setRequiresGradient(true);
            float[] xs = x.toFloatArray();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = Activations.geluTanh(x);
                assertNotSame(x, y);
                gc.backward(y.sum());
            }
            float[] g = x.getGradient().toFloatArray();
            for (int i = 0; i < g.length; i++) {
                double h = 1e-4;
                double want = (gelu64(xs[i] + h) - gelu64(xs[i] - h)) / (2 * h);
                assertEquals(want, g[i], 1e-4, "d gelu / dx at " + xs[i]);
            }
        }
    }
}
