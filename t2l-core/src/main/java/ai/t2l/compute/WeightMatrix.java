package ai.t2l.compute;

import ai.djl.ndarray.NDArray;
import ai.t2l.io.FloatTensor;

/**
 * A weight matrix W of shape (rows, cols) = (out, in), as Hugging Face stores a projection, kept in whatever
 * precision the model is held in (float32 engine array, memory-mapped bfloat16/float16, or 8-bit blocks).
 * Activations stay float32 engine arrays and every product accumulates in float32.
 */
public interface WeightMatrix {
    long rows();

    long cols();

    /** How the weights are held: "f32", "bf16", "f16" or "int8". */
    String storage();

    /** Bytes the weights occupy (mapped file pages for 16-bit, heap for int8, native memory for float32). */
    long bytes();

    /** y = x Wᵀ (+ bias): x (..., cols) float32 → (..., rows) float32, owned by x's manager. */
    NDArray multiply(NDArray x, NDArray bias);

    /**
     * Whether a product with {@code rows} activation rows runs on our Java kernels rather than the engine's GEMM
     * (judged from the shapes and settings; autograd may still send a product to the engine).
     */
    default boolean javaProductFor(long rows) {
        return false;
    }

    /** Row r widened to float32 into dst[off .. off + cols) (embedding lookup, quantization, tests). */
    void rowInto(int r, float[] dst, int off);

    /** The whole matrix widened to float32 (only for small models, saving and merging). */
    default FloatTensor toFloat() {
        long n = Math.multiplyExact(rows(), cols());
        if (n > Integer.MAX_VALUE - 8) {
            throw new ai.t2l.io.T2lException("a " + rows() + " x " + cols() + " matrix is too large to widen to one"
                    + " float32 array");
        }
        float[] out = new float[(int) n];
        for (int r = 0; r < rows(); r++) {
            rowInto(r, out, (int) (r * cols()));
        }
        return new FloatTensor(out, new long[] {rows(), cols()});
    }
}
