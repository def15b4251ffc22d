package ai.t2l.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/** Seeded standard-normal arrays, so that a test checks the same numbers on every run. */
final class SeededArrays {
    private SeededArrays() {}

    static NDArray gaussian(NDManager m, long seed, Shape shape) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return m.create(v, shape);
    }
}
