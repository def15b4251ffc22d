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
 * {@link Activations#softcap} (Gemma 2's cap·tanh(x / cap)): in inference it works in place and matches the engine's
 * ops and a float64 evaluation to float rounding (plain and vector forms, both cores' ranges); under autograd it is
 * the engine's ops, with their gradient.
 */
class SoftcapTest {
    @Test
    void inferenceRunsInPlaceAndMatchesTheEngine() {
        try (NDManager m = NDManager.newBaseManager()) {
            // 1,073 values (the plain loop) and, in a second array, enough for the vector kernel
            for (Shape shape : new Shape[] {new Shape(37, 29), new Shape(2, 1, 70_001)}) {
                for (float cap : new float[] {30f, 50f}) {
                    NDArray x = SeededArrays.gaussian(m, 3, shape).mul(2 * cap);
                    float[] xs = x.toFloatArray();
                    float[] engine = Scalars.mul(Scalars.div(x, cap).tanh(), cap).toFloatArray();
                    NDArray y = Activations.softcap(x, cap);
                    assertSame(x, y, "computed in place, no new array");
                    float[] got = y.toFloatArray();
                    for (int i = 0; i < got.length; i++) {
                        double exact = cap * Math.tanh(xs[i] / (double) cap);
                        // 2c·sigmoid − c: a few roundings of the sigmoid, scaled by 2c, then c subtracted
                        double bound = 4 * Math.ulp(cap) + 4 * Math.ulp((float) Math.abs(exact));
                        assertEquals(exact, got[i], bound, "value " + i + " at x = " + xs[i] + " vs float64");
                        assertEquals(engine[i], got[i], bound, "value " + i + " vs the engine");
                    }
                }
            }
        }
    }

    @Test
    void underAutogradItIsTheEngineOpsWithTheirGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            float cap = 3f;
            NDArray x = SeededArrays.gaussian(m, 4, new Shape(4, 9)).mul(4f);
            x.setRequiresGradient(true);
            float[] xs = x.toFloatArray();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = Activations.softcap(x, cap);
                assertNotSame(x, y);
                gc.backward(y.sum());
            }
            float[] g = x.getGradient().toFloatArray();
            for (int i = 0; i < g.length; i++) {
                double t = Math.tanh(xs[i] / cap);
                assertEquals(1 - t * t, g[i], 1e-5, "d softcap / dx at " + xs[i]);
            }
        }
    }
}
