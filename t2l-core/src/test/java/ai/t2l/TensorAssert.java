package ai.t2l;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ai.t2l.io.FloatTensor;
import ai.t2l.model.Transformer;
import java.util.Arrays;
import java.util.Map;

/** Tensor comparison whose failure says which tensor, at which index, and by how much (llm.c check_tensor). */
public final class TensorAssert {
    private TensorAssert() {}

    /** Asserts |expected - actual| <= atol everywhere; returns the largest difference seen. */
    public static double assertClose(String what, FloatTensor expected, float[] actual, long[] actualShape,
            double atol) {
        assertArrayEquals(expected.shape(), actualShape,
                what + ": shape " + Arrays.toString(actualShape) + ", expected " + expected.shapeString());
        return assertClose(what, expected.data(), 0, actual, 0, expected.data().length, expected.shape(), atol);
    }

    /** Compares {@code n} values starting at the given offsets (e.g. one row of a larger tensor). */
    public static double assertClose(String what, float[] expected, int expOffset, float[] actual, int actOffset,
            int n, long[] shapeForIndex, double atol) {
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < n; i++) {
            double d = Math.abs((double) expected[expOffset + i] - actual[actOffset + i]);
            if (!(d <= worst) || Double.isNaN(d)) {
                worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                worstAt = i;
            }
        }
        if (worst > atol) {
            fail(String.format("%s: max |diff| %.3g at %s (expected %.6f, found %.6f), atol %.1g", what, worst,
                    index(expOffset + worstAt, shapeForIndex), expected[expOffset + worstAt],
                    actual[actOffset + worstAt], atol));
        }
        return worst;
    }

    private static String index(int flat, long[] shape) {
        if (shape == null) {
            return "[" + flat + "]";
        }
        long[] idx = new long[shape.length];
        long rest = flat;
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = rest % shape[d];
            rest /= shape[d];
        }
        return Arrays.toString(idx);
    }

    /**
     * Asserts that two models hold bit-identical weights, e.g. a model shared by many tests against a fresh load of
     * its folder: merging an adapter and unmerging it again leaves float32 rounding residue (W + d - d != W) that
     * every later test would see, so the tests that merge must do it on a copy of their own.
     */
    public static void assertSameWeights(String what, Transformer expected, Transformer actual) {
        Map<String, FloatTensor> e = expected.stateDict();
        Map<String, FloatTensor> a = actual.stateDict();
        assertArrayEquals(e.keySet().toArray(), a.keySet().toArray(), what + ": weight names");
        e.forEach((name, t) -> assertClose(what + ": " + name, t, a.get(name).data(), a.get(name).shape(), 0.0));
    }
}
