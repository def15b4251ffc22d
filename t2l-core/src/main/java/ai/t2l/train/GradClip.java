package ai.t2l.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;

/**
 * torch.nn.utils.clip_grad_norm_ (norm type 2): the total norm is the 2-norm of the per-parameter 2-norms; every
 * gradient is multiplied in place by min(1, maxNorm / (total + 1e-6)).
 */
public final class GradClip {
    private GradClip() {}

    /** Returns the total norm before clipping. */
    public static double clip(ParamSet params, double maxNorm) {
        NDList norms = new NDList();
        for (String name : params.names()) {
            norms.add(params.grad(name).norm());
        }
        NDArray total = NDArrays.stack(norms).norm();
        double totalNorm = total.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
        double coef = Math.min(1.0, maxNorm / (totalNorm + 1e-6));
        if (coef < 1.0) { // a product by 1 changes no value: skip the pass over every gradient
            for (String name : params.names()) {
                params.grad(name).muli(coef);
            }
        }
        norms.close();
        total.close();
        return totalNorm;
    }
}
