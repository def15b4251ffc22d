package ai.t2l.compute;

/**
 * LayerNorm over the last axis of row-major float32 rows, for generation (no autograd), the rows split over
 * the cores. As ATen's CPU kernel forms it: rstd = 1/√(var + eps) with the biased variance, then y = (x·rstd +
 * (−rstd·mean))·γ + β, each operation rounded (ATen's vectorised map). The mean and variance are summed in
 * double, so a value may differ from the engine's in its last bits.
 */
public final class LayerNormRows {
    private LayerNormRows() {}

    /** LayerNorm of x (rows, γ's length) into a new array. */
    public static float[] apply(float[] x, int rows, float[] gamma, float[] beta, float eps) {
        int width = gamma.length;
        if (beta.length != width || x.length < (long) rows * width) {
            throw new IllegalArgumentException("layer norm: " + rows + " rows of " + width + " in " + x.length
                    + " floats, β of " + beta.length);
        }
        float[] y = new float[rows * width];
        ComputePool.forRange(rows, (long) rows * width, (r0, r1) -> {
            for (int i = r0; i < r1; i++) {
                int at = i * width;
                double sum = 0;
                for (int c = 0; c < width; c++) {
                    sum += x[at + c];
                }
                double mean = sum / width;
                double squares = 0;
                for (int c = 0; c < width; c++) {
                    double d = x[at + c] - mean;
                    squares += d * d;
                }
                float rstd = 1f / (float) Math.sqrt((float) (squares / width) + eps);
                float shift = -rstd * (float) mean;
                for (int c = 0; c < width; c++) {
                    y[at + c] = (x[at + c] * rstd + shift) * gamma[c] + beta[c];
                }
            }
        });
        return y;
    }
}
