package ai.t2l.compute;

/**
 * LayerNorm over the last axis of row-major float32 rows, for generation (no autograd). As ATen's CPU kernel forms
 * it: rstd = 1/√(var + eps) with the biased variance, then y = (x·rstd + (−rstd·mean))·γ + β, each operation rounded
 * (ATen's vectorised map). The mean and variance are summed in double, so a value may differ from the engine's in
 * its last bits.
 */
public final class LayerNormRows {
    private LayerNormRows() {}

    /**
     * Rows [xRow, xRow + rows) of x into rows [yRow, yRow + rows) of y (γ's length wide), on the calling thread: the
     * caller splits the rows over the cores ({@code hypernet.JavaTrunk}).
     */
    public static void rows(float[] x, int xRow, float[] y, int yRow, int rows, float[] gamma, float[] beta,
            float eps) {
        int width = gamma.length;
        if (beta.length != width) {
            throw new IllegalArgumentException("layer norm: γ of " + width + ", β of " + beta.length);
        }
        java.util.Objects.checkFromIndexSize((long) xRow * width, (long) rows * width, x.length);
        java.util.Objects.checkFromIndexSize((long) yRow * width, (long) rows * width, y.length);
        for (int i = 0; i < rows; i++) {
            int at = (xRow + i) * width;
            int to = (yRow + i) * width;
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
                y[to + c] = (x[at + c] * rstd + shift) * gamma[c] + beta[c];
            }
        }
    }
}
