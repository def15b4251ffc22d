package ai.t2l.compute;

/**
 * The compute pool's split for callers outside this package that chain several steps on the same rows
 * ({@code hypernet.JavaTrunk}: LayerNorm, two products and a residual add per block of rows, while the block is in
 * the core's cache): one contiguous range of rows per core, the caller running the first.
 */
public final class RowRanges {
    private RowRanges() {}

    /** A range [begin, end) of rows. */
    public interface Range {
        void run(int begin, int end);
    }

    /**
     * Runs {@code task} over [0, rows) split into one range per core, or on the calling thread alone when
     * {@code work} (the weights the ranges read, summed) is too small to be worth handing off.
     */
    public static void split(int rows, long work, Range task) {
        ComputePool.forRange(rows, work, task::run);
    }
}
