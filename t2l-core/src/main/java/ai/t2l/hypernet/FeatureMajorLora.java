package ai.t2l.hypernet;

import ai.djl.ndarray.NDArray;

/**
 * One module's generated A and B in the layout the head's product W·xᵀ writes: feature-major, each head output (a
 * rank-major element e = k·features + j of a row's A (r, in) or B (r, out)) holding all rows side by side. Made for
 * the reconstruction loss, which compares element by element and so can read it in place
 * ({@link HyperModulator#featureMajorDeltaWeights}).
 */
public record FeatureMajorLora(Half a, Half b) {
    /**
     * Where one half lives: row i's element e is {@code base.flat[offset + e · featureStride + i]}, for i below
     * {@code rows} (the call's rows) and e below {@code elements} (r · features).
     *
     * @param base contiguous float array that carries autograd (shared by A and B when one product made both)
     */
    public record Half(NDArray base, long offset, long featureStride, long rows, long elements) {}
}
