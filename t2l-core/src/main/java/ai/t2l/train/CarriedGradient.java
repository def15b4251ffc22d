package ai.t2l.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.t2l.model.Scalars;
import java.util.List;

/**
 * A scalar loss whose value and gradient Java has computed, for the engine's autograd: (x · g) / divisor has the
 * gradient upstream · g / divisor w.r.t. x, and its forward value is replaced by the one given (linear − linear
 * detached + value: exactly that value, or NaN when x holds a non-finite number, as the engine's loss would be). The
 * engine reads x and g once forward (a dot product, nothing allocated) and writes x's gradient once backward,
 * instead of the several passes over x its own loss ops and their backward take.
 */
final class CarriedGradient {
    private CarriedGradient() {}

    /**
     * Whether Java can compute a loss over x this way: float32, and at most 2 GB, which one buffer holds; otherwise
     * the caller keeps the engine's loss.
     */
    static boolean fits(NDArray x) {
        return fits(x.getDataType(), x.getShape().size());
    }

    /** {@link #fits(NDArray)} for an array of {@code count} values of {@code type} not made yet. */
    static boolean fits(DataType type, long count) {
        return type == DataType.FLOAT32 && 4L * count <= Integer.MAX_VALUE;
    }

    /**
     * @param flat x, one-dimensional (a view of the prediction)
     * @param direction g, float32 of the same length, without gradient
     * @param divisor 1, or N to leave the division to the engine (so that the gradient is upstream / N · g with
     *     the engine's own rounding, as its mean's backward computes it)
     */
    static NDArray loss(NDManager scope, NDArray flat, NDArray direction, long divisor, double value) {
        NDArray dot = flat.dot(direction);
        return carry(scope, divisor == 1 ? dot : Scalars.div(dot, divisor), value);
    }

    /**
     * The same over several arrays: Σ x_k · g_k, each g_k already scaled as its gradient should be (divisor 1).
     *
     * @param flats the x_k, one-dimensional
     * @param directions the g_k, float32, each as long as its x_k, without gradient
     */
    static NDArray loss(NDManager scope, List<NDArray> flats, List<NDArray> directions,
            double value) {
        NDArray linear = null;
        for (int k = 0; k < flats.size(); k++) {
            NDArray dot = flats.get(k).dot(directions.get(k));
            linear = linear == null ? dot : linear.add(dot);
        }
        return carry(scope, linear, value);
    }

    /** linear − linear detached + value: the value given, with linear's gradient. */
    private static NDArray carry(NDManager scope, NDArray linear, double value) {
        return linear.sub(linear.stopGradient()).add(scope.create((float) value));
    }
}
