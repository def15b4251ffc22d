package ai.t2l.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;

/**
 * torch.nn.utils.clip_grad_norm_ (norm type 2): the total norm is the 2-norm of the per-parameter 2-norms; every
 * gradient is to be multiplied by min(1, maxNorm / (total + 1e-6)). That product is left to the optimiser, which
 * applies it as it reads each gradient ({@link AdamW#step(ParamSet, double, double)}).
 */
public final class GradClip {
    private GradClip() {}

    /** The total norm of the gradients. */
    public static double norm(ParamSet params) {
        NDList norms = new NDList();
        for (String name : params.names()) {
            norms.add(params.grad(name).norm());
        }
        NDArray total = NDArrays.stack(norms).norm();
        double totalNorm = total.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
        norms.close();
        total.close();
        return totalNorm;
    }

    /** The factor every gradient is multiplied by: min(1, maxNorm / (totalNorm + 1e-6)). */
    public static double coefficient(double totalNorm, double maxNorm) {
        return Math.min(1.0, maxNorm / (totalNorm + 1e-6));
    }
}
