package ai.t2l.compute;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * x·Wᵀ + b for a float32 engine weight on the Java kernel of {@link HeadProduct}, for the products where the engine is
 * slow and nothing needs a gradient: prefill and other many-row inference products. On this CPU (AMD EPYC, 2 cores)
 * the kernel runs at ≈ 105–110 GFLOP/s per core with the weights in L1 and ≈ 70 with a weight panel copied per 32
 * rows (BENCHMARKS.md, issue 16), against ≈ 94 GFLOP/s for libtorch's whole prefill on 2 threads.
 *
 * <p>Used only when no input needs a gradient (so autograd never needs this product), with at least
 * {@link #MIN_ROWS} activation rows (below that, decode: the kernel's 32-row blocks would be mostly padding and the
 * product is bound by the weight stream), and when the Vector API kernel runs here. Off with
 * {@code -Dt2l.compute.javaGemm=false}, for A/B runs of one jar.
 */
final class F32Gemm {
    static final int MIN_ROWS = Integer.getInteger("t2l.compute.javaGemmRows", 32);
    private static final boolean ENABLED = !"false".equals(System.getProperty("t2l.compute.javaGemm"));

    private F32Gemm() {}

    static boolean applies(NDArray x, NDArray w, NDArray bias) {
        if (!ENABLED || !HeadProduct.fast() || x.getDataType() != DataType.FLOAT32
                || w.getDataType() != DataType.FLOAT32 || w.getShape().dimension() != 2) {
            return false;
        }
        long cols = w.getShape().get(1);
        Shape xs = x.getShape();
        if (xs.dimension() == 0 || xs.get(xs.dimension() - 1) != cols || cols == 0) {
            return false;
        }
        long m = x.size() / cols;
        if (m < MIN_ROWS || m * cols > Integer.MAX_VALUE
                || m * w.getShape().get(0) > Integer.MAX_VALUE) {
            return false;
        }
        return !x.hasGradient() && !w.hasGradient() && (bias == null || !bias.hasGradient());
    }

    /** (…, cols) · (rows, cols)ᵀ + b → (…, rows), in x's manager; call only when {@link #applies}. */
    static NDArray multiply(NDArray x, NDArray w, NDArray bias) {
        int cols = (int) w.getShape().get(1);
        int rows = (int) w.getShape().get(0);
        float[] xs = x.toFloatArray();
        int m = xs.length / cols;
        float[] b = bias == null ? null : bias.toFloatArray();
        // the weight's own memory for a contiguous array (a strided one would be copied: weights never are)
        FloatBuffer wb = w.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();
        float[] y = new float[m * rows];
        HeadProduct.multiply(wb, cols, b, xs, m, 0, rows, (j0, nf, i0, n, blk) -> {
            for (int i = 0; i < n; i++) {
                int o = (i0 + i) * rows + j0;
                for (int f = 0; f < nf; f++) {
                    y[o + f] = blk[f * HeadProduct.ROWS_PER_BLOCK + i];
                }
            }
        });
        Shape s = x.getShape();
        return Staging.owned(x.getManager(), y, y.length, s.slice(0, s.dimension() - 1).add(rows));
    }
}
