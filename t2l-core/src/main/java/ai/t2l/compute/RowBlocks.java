package ai.t2l.compute;

/**
 * Which weight rows the skinny kernels take together in their blocks of four ({@link VectorKernels},
 * {@link VectorF32Kernel}). A range [o0, o1) holding b whole blocks is read as the blocks {o0 + i, o0 + i + b,
 * o0 + i + 2b, o0 + i + 3b} for i in [0, b): each of the four rows of a block lies a quarter of the range from the
 * next, so a thread reads four sequential streams through memory, each a quarter of its range long. Side by side
 * (o, o + 1, o + 2, o + 3), the four streams restart at every block and last one row: on 2,304-wide int8 rows
 * (2.3 KB) the hardware prefetcher never got ahead and a batch-1 product read 12–14 GB/s where 4,096-wide rows
 * read 22 (docs/WEIGHTS.md, "Four streams per thread"). The sums do not change, only which rows share a block.
 * {@code -Dt2l.compute.adjacentRows=true} takes the rows side by side, for comparisons.
 */
final class RowBlocks {
    private RowBlocks() {}

    static final boolean ADJACENT = Boolean.getBoolean("t2l.compute.adjacentRows");

    /** The distance between the rows of one block, for a range of {@code blocks} whole blocks of four. */
    static int gap(int blocks) {
        return ADJACENT || blocks == 0 ? 1 : blocks;
    }

    /** The first row of block {@code b} of the range starting at {@code o0}; its rows are first + k·gap. */
    static int first(int o0, int b, int gap) {
        return gap == 1 ? o0 + 4 * b : o0 + b;
    }
}
