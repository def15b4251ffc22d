package ai.t2l.compute;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import ai.t2l.io.FloatTensor;

/**
 * Today's path: a float32 engine array multiplied by the engine's GEMM (Linear.linear, exactly as before, so
 * autograd and the golden tolerances are unchanged). Training only ever sees this kind.
 */
public final class F32Matrix implements WeightMatrix {
    private final NDArray w; // (rows, cols)

    public F32Matrix(NDArray w) {
        this.w = w;
    }

    /** The engine array itself (training marks it trainable; merge adds into it). */
    public NDArray array() {
        return w;
    }

    @Override
    public long rows() {
        return w.getShape().get(0);
    }

    @Override
    public long cols() {
        return w.getShape().get(1);
    }

    @Override
    public String storage() {
        return "f32";
    }

    @Override
    public long bytes() {
        return 4L * rows() * cols();
    }

    @Override
    public NDArray multiply(NDArray x, NDArray bias) {
        return Linear.linear(x, w, bias).singletonOrThrow();
    }

    @Override
    public void rowInto(int r, float[] dst, int off) {
        try (NDArray row = w.get(r)) {
            float[] v = row.toFloatArray();
            System.arraycopy(v, 0, dst, off, v.length);
        }
    }

    @Override
    public FloatTensor toFloat() {
        return new FloatTensor(w.toFloatArray(), w.getShape().getShape());
    }
}
