package ai.t2l.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;

/** Some rows of a matrix, as a new (rows, columns) array whose gradient autograd carries back into place. */
public final class RowGather {
    private RowGather() {}

    /**
     * Rows {@code rows} of {@code x} (its last dimension the columns, the others flattened into rows), through the
     * embedding op: a gather whose backward adds each row's gradient back where it came from.
     *
     * @param m where the index lives (in PyTorch memory: autograd saves it for backward, see {@link OwnedArrays})
     */
    public static NDArray of(NDManager m, NDArray x, int[] rows) {
        Shape s = x.getShape();
        long all = s.size() / s.get(s.dimension() - 1);
        long[] index = new long[rows.length];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] < 0 || rows[i] >= all) {
                throw new IllegalArgumentException("row " + rows[i] + " is outside the " + all + " rows of " + s);
            }
            index[i] = rows[i];
        }
        NDArray idx = OwnedArrays.of(m, index, new Shape(rows.length));
        return Embedding.embedding(idx, x.reshape(all, -1), SparseFormat.DENSE).singletonOrThrow();
    }
}
