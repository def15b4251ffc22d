package ai.t2l.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Inverted dropout whose masks come from our {@link Rng}, so that a resumed run draws the same masks. */
@FunctionalInterface
public interface Dropout {
    Dropout NONE = x -> x;

    NDArray apply(NDArray x);

    static Dropout of(double p, Rng rng) {
        if (p <= 0) {
            return NONE;
        }
        float keep = (float) (1 / (1 - p));
        return x -> {
            float[] mask = new float[Math.toIntExact(x.size())];
            for (int i = 0; i < mask.length; i++) {
                mask[i] = rng.nextDouble() < p ? 0f : keep;
            }
            NDArray m = x.getManager().create(mask, x.getShape());
            if (x.getDataType() != DataType.FLOAT32) {
                m = m.toType(x.getDataType(), false);
            }
            return x.mul(m);
        };
    }
}
