package ai.t2l.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/**
 * {@link RmsNorm}: the one-pass inference form against the engine's six ops, on rows of a 3-d array; under
 * autograd the engine's form with its gradient.
 */
class RmsNormTest {
    @Test
    void inferenceMatchesTheEngineForm() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = SeededArrays.gaussian(m, 1, new Shape(3, 5, 96)).mul(3f);
            NDArray w = SeededArrays.gaussian(m, 2, new Shape(96));
            float[] want = RmsNorm.onEngine(x, w, 1e-6f).toFloatArray();
            float[] before = x.toFloatArray();
            NDArray y = RmsNorm.apply(x, w, 1e-6f);
            assertArrayEquals(new long[] {3, 5, 96}, y.getShape().getShape());
            assertArrayEquals(before, x.toFloatArray(), "x is left as it was (the residual reads it)");
            float[] got = y.toFloatArray();
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-6f * Math.max(1f, Math.abs(want[i])), "value " + i);
            }
        }
    }

    @Test
    void underAutogradTheGradientFlows() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = SeededArrays.gaussian(m, 3, new Shape(2, 8));
            NDArray w = SeededArrays.gaussian(m, 4, new Shape(8));
            x.setRequiresGradient(true);
            float[] g;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(RmsNorm.apply(x, w, 1e-5f).sum());
            }
            g = x.getGradient().toFloatArray();
            // d/dx_j of Σ_i w_i x_i s, s = (mean(x²) + eps)^(-1/2): w_j s − (Σ_i w_i x_i) s³ x_j / n
            float[] xs = x.toFloatArray();
            float[] ws = w.toFloatArray();
            for (int r = 0; r < 2; r++) {
                double ss = 0;
                double wx = 0;
                for (int i = 0; i < 8; i++) {
                    ss += xs[r * 8 + i] * xs[r * 8 + i];
                    wx += ws[i] * xs[r * 8 + i];
                }
                double s = 1 / Math.sqrt(ss / 8 + 1e-5);
                for (int j = 0; j < 8; j++) {
                    double want = ws[j] * s - wx * s * s * s * xs[r * 8 + j] / 8;
                    assertEquals(want, g[r * 8 + j], 1e-4, "gradient row " + r + " column " + j);
                }
            }
        }
    }
}
