package ai.t2l.compute;

/** For benchmarks: the skinny product of a 16/8-bit matrix on Java arrays, without the engine arrays around it. */
public final class RawProduct {
    private RawProduct() {}

    /** y[0, rows) = W x for one activation row, as {@link PackedMatrix}'s skinny path computes it. */
    public static void multiply(WeightMatrix w, float[] x, float[] y) {
        PackedMatrix pm = (PackedMatrix) w;
        Object prepared = pm.prepare(x, 1);
        Kernels k = Kernels.best();
        ComputePool.forRange(pm.rows, (long) pm.rows * pm.cols, (o0, o1) -> pm.kernel(k, prepared, x, 1, y, o0, o1));
    }
}
