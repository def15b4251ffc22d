package ai.t2l.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Arrays made from Java data whose memory PyTorch owns. DJL's {@code create} wraps a Java direct buffer
 * ({@code torch::from_blob}) that only the NDArray object keeps alive: once that object is closed the garbage
 * collector frees the memory, even when autograd has saved the tensor for backward. The forward pass closes its
 * intermediates before the caller runs backward, so its indices, masks and rotary tables must live in PyTorch's
 * memory; otherwise backward reads freed memory (random NaN gradients and out-of-range embedding indices, seen in
 * the miniature build, reproduced by {@code OwnedArraysTest}).
 */
public final class OwnedArrays {
    private OwnedArrays() {}

    public static NDArray of(NDManager m, float[] data, Shape shape) {
        try (NDArray blob = m.create(data, shape)) {
            return blob.duplicate();
        }
    }

    public static NDArray of(NDManager m, long[] data, Shape shape) {
        try (NDArray blob = m.create(data, shape)) {
            return blob.duplicate();
        }
    }
}
