package ai.t2l.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import ai.t2l.compute.Silu;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * {@link Activations#silu}: in inference it works in place and matches the engine's x · sigmoid(x) to float32
 * rounding (vector body and scalar tail alike); under autograd it is the engine's op, with its gradient.
 */
class SiluTest {
    @Test
    void inferenceRunsInPlaceAndMatchesTheEngine() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = SeededArrays.gaussian(m, 1, new Shape(37, 29)).mul(4f); // 1,073 values: vector groups and a tail
            float[] want = x.mul(Activation.sigmoid(x)).toFloatArray();
            NDArray y = Activations.silu(x);
            assertSame(x, y, "computed in place, no new array");
            float[] got = y.toFloatArray();
            for (int i = 0; i < want.length; i++) {
                // the exponential's last bit may differ (SVML against libtorch's): a few units in the last place
                assertEquals(want[i], got[i], 4 * Math.ulp(Math.max(1f, Math.abs(want[i]))), "value " + i);
            }
        }
    }

    @Test
    void underAutogradItIsTheEngineOpWithItsGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = SeededArrays.gaussian(m, 2, new Shape(4, 9));
            x.setRequiresGradient(true);
            float[] xs = x.toFloatArray();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = Activations.silu(x);
                assertNotSame(x, y);
                gc.backward(y.sum());
            }
            float[] g = x.getGradient().toFloatArray();
            for (int i = 0; i < g.length; i++) {
                double s = 1 / (1 + Math.exp(-xs[i]));
                // d silu / dx = σ(x)(1 + x(1 − σ(x)))
                assertEquals(s * (1 + xs[i] * (1 - s)), g[i], 1e-5, "d silu / dx at " + xs[i]);
            }
        }
    }

    @Test
    void extremeValuesStayFinite() {
        ByteBuffer b = ByteBuffer.allocateDirect(4 * 40).order(ByteOrder.nativeOrder());
        float[] xs = {-1000f, -88f, -20f, -1e-30f, 0f, 1e-30f, 20f, 88f, 1000f, Float.MAX_VALUE, -Float.MAX_VALUE};
        for (int i = 0; i < 40; i++) {
            b.putFloat(4 * i, xs[i % xs.length]);
        }
        Silu.inPlace(b, 40);
        for (int i = 0; i < 40; i++) {
            float x = xs[i % xs.length];
            float want = x * (float) (1 / (1 + Math.exp(-x)));
            assertEquals(want, b.getFloat(4 * i), Math.abs(want) * 1e-6f + 1e-30f, "silu(" + x + ")");
        }
    }
}
