package ai.t2l.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.t2l.compute.Autograd;
import ai.t2l.compute.Staging;
import java.nio.FloatBuffer;

/**
 * HF LlamaRMSNorm, w · x · (mean(x²) + eps)^(−1/2) over the last axis. When nothing can record it for backward
 * ({@link Autograd}) it is one Java pass into a new engine array; the engine's form is six ops (square, mean, add,
 * power, two products), each a pass and an allocation, 25 of them per token for a 12-layer model. Training keeps the
 * engine's ops. The mean of squares is summed in double, so values may differ from the engine's in the last bit.
 */
final class RmsNorm {
    private RmsNorm() {}

    static NDArray apply(NDArray x, NDArray w, float eps) {
        long width = w.size();
        if (Autograd.mayRecord(x) || x.hasGradient() || w.hasGradient() || x.getDataType() != DataType.FLOAT32
                || w.getDataType() != DataType.FLOAT32 || x.size() % width != 0) {
            return onEngine(x, w, eps);
        }
        int cols = (int) width;
        int rows = Math.toIntExact(x.size() / width);
        FloatBuffer in = EngineMemory.readable(x);
        float[] g = w.toFloatArray();
        Staging.Fresh out = Staging.fresh(x.getManager(), x.getShape());
        FloatBuffer dst = out.memory();
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            in.get(r * cols, row);
            double squares = 0;
            for (int i = 0; i < cols; i++) {
                squares += row[i] * row[i];
            }
            float variance = (float) (squares / cols);
            float scale = (float) Math.pow(variance + eps, -0.5); // the engine's float add, then its power
            for (int i = 0; i < cols; i++) {
                row[i] = row[i] * scale * g[i];
            }
            dst.put(r * cols, row);
        }
        return out.array();
    }

    /** The differentiable form: x · (mean(x²) + eps)^(−1/2) · w. */
    static NDArray onEngine(NDArray x, NDArray w, float eps) {
        NDArray variance = x.mul(x).mean(new int[] {-1}, true);
        return x.mul(Scalars.pow(variance.add(eps), -0.5f)).mul(w);
    }
}
