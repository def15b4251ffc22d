package ai.t2l.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** Our inverted dropout: the masks' rate and scale, the same masks from the same seed, and the engine's backward. */
class DropoutTest {
    private static float[] dropped(NDManager m, long seed, float p, int n) {
        Dropout.seed(seed);
        return Dropout.apply(m.ones(new Shape(n)), p).toFloatArray();
    }

    @Test
    void dropsAtTheRateAndScalesTheRest() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (float p : new float[] {0.05f, 0.5f}) {
                int n = 1_000_003; // not a multiple of 4: the tail draws one value at a time
                float[] y = dropped(m, 11, p, n);
                long zeros = 0;
                for (float v : y) {
                    if (v == 0f) {
                        zeros++;
                    } else {
                        assertEquals(1f / (1f - p), v, 0f, "kept values are scaled by 1/(1-p)");
                    }
                }
                double rate = zeros / (double) n;
                double sd = Math.sqrt(p * (1 - p) / n); // binomial standard deviation of the rate
                assertTrue(Math.abs(rate - p) < 6 * sd, "p=" + p + ": dropped " + rate + " (6 sd = " + 6 * sd + ")");
            }
        }
    }

    @Test
    void sameSeedSameMaskOtherSeedOtherMask() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] a = dropped(m, 42, 0.05f, 4099);
            assertArrayEquals(a, dropped(m, 42, 0.05f, 4099));
            float[] b = dropped(m, 43, 0.05f, 4099);
            int differ = 0;
            for (int i = 0; i < a.length; i++) {
                differ += a[i] != b[i] ? 1 : 0;
            }
            assertTrue(differ > 100, "another seed draws another mask (" + differ + " of 4099 differ)");
        }
    }

    @Test
    void gradientIsTheMask() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(3, 5, 7));
            x.setRequiresGradient(true);
            float[] y;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                Dropout.seed(5);
                NDArray out = Dropout.apply(x, 0.3f);
                y = out.toFloatArray();
                gc.backward(out.sum());
            }
            float[] g = x.getGradient().toFloatArray();
            float[] xs = x.toFloatArray();
            for (int i = 0; i < g.length; i++) {
                assertEquals(g[i] == 0f ? 0f : xs[i] / 0.7f, y[i], 1e-6f, "value " + i);
                assertTrue(g[i] == 0f || Math.abs(g[i] - 1f / 0.7f) < 1e-6f,
                        "gradient " + i + " is 0 or 1/(1-p): " + g[i]);
            }
        }
    }

    @Test
    void zeroIsIdentityAndBadInputIsRefused() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.ones(new Shape(4));
            assertSame(x, Dropout.apply(x, 0f));
            assertThrows(IllegalArgumentException.class, () -> Dropout.apply(x, 1f));
            assertThrows(IllegalArgumentException.class, () -> Dropout.apply(x, -0.1f));
            assertThrows(IllegalArgumentException.class, () -> Dropout.apply(x, Float.NaN));
            NDArray wide = x.toType(DataType.FLOAT64, false);
            var e = assertThrows(IllegalArgumentException.class, () -> Dropout.apply(wide, 0.1f));
            assertTrue(e.getMessage().contains("float64"), e.getMessage());
        }
    }
}
