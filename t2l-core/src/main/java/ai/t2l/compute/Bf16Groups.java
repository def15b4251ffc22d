package ai.t2l.compute;

import java.nio.ByteBuffer;

/**
 * Mapped row-major bfloat16 rows as {@link TiledProduct}'s groups: each chunk of 32 rows is transposed into the head
 * tile's bfloat16 panel ({@link HeadKernel#tileBf16}: column k's int j holds row j in its low half and row 16 + j in
 * its high half), which the tile widens exactly, two shifts per pair. One group's chunk is 64 KB (L2).
 *
 * <p>The transposition is scalar: four columns of a row pair per two 8-byte loads, each row read front to back so the
 * prefetcher follows it. It costs about 0.8 ns a weight on one Zen 3 core (the 8-row tile itself 0.18), so it pays
 * only for many activation rows. On gemma-2-2b's 9216 × 2304 weights (both cores, from memory) it tied the skinny
 * kernels at 32 rows (41 G multiply-adds/s) and beat the float32 panels from 48 (48 against 38; 61 against 40 at 128
 * rows); gemma-2-2b bf16 then prefilled 128 tokens at 27.5–27.7 against 16.9–18.2 tokens/s (BENCHMARKS.md, issue 15,
 * twenty-sixth session). At batch 8 it lost (17 against 41), and a vector 8 × 8 transposition (rearranges and blends)
 * would not save it: 0.26 ns a weight from L2, plus 0.22 for the copy out of the mapping.
 */
final class Bf16Groups implements TiledProduct.Groups {
    private final ByteBuffer w;
    private final int cols;
    private final int rows;
    private final int first;

    /** Rows [0, rows) of {@code w} (row-major, cols values each), the matrix's rows from {@code first}. */
    Bf16Groups(ByteBuffer w, int cols, int rows, int first) {
        this.w = w;
        this.cols = cols;
        this.rows = rows;
        this.first = first;
    }

    int count() {
        return (rows + TiledProduct.GROUP - 1) / TiledProduct.GROUP;
    }

    @Override
    public int lanes(int g) {
        return Math.min(TiledProduct.GROUP, rows - TiledProduct.GROUP * g);
    }

    @Override
    public int column(int g) {
        return first + TiledProduct.GROUP * g;
    }

    /** Rows past the matrix are zeros (their sums are computed, never stored). */
    @Override
    public void fill(int g, int c0, int len, TiledProduct.Scratch scratch) {
        int[] panel = scratch.bf16;
        int half = TiledProduct.GROUP / 2;
        int r0 = TiledProduct.GROUP * g;
        int rowBytes = 2 * cols;
        int quads = len - len % 4;
        for (int j = 0; j < half; j++) {
            boolean hasLow = r0 + j < rows;
            boolean hasHigh = r0 + half + j < rows;
            int lo = (r0 + j) * rowBytes + 2 * c0;
            int hi = lo + half * rowBytes;
            for (int k = 0; k < quads; k += 4) {
                long a = hasLow ? w.getLong(lo + 2 * k) : 0L; // columns k .. k + 3, little-endian
                long b = hasHigh ? w.getLong(hi + 2 * k) : 0L;
                int at = k * half + j;
                panel[at] = ((int) a & 0xFFFF) | ((int) b << 16);
                panel[at + half] = ((int) (a >>> 16) & 0xFFFF) | ((int) (b >>> 16) << 16);
                panel[at + 2 * half] = ((int) (a >>> 32) & 0xFFFF) | ((int) (b >>> 32) << 16);
                panel[at + 3 * half] = ((int) (a >>> 48) & 0xFFFF) | ((int) (b >>> 48) << 16);
            }
            for (int k = quads; k < len; k++) {
                int a = hasLow ? w.getShort(lo + 2 * k) & 0xFFFF : 0;
                int b = hasHigh ? w.getShort(hi + 2 * k) : 0;
                panel[k * half + j] = a | (b << 16);
            }
        }
    }

    /** All 8 rows of the tile ({@link HeadKernel#tileBf16} has no shorter form); rows past the block are not stored. */
    @Override
    public void tile(int g, TiledProduct.Scratch scratch, int len, float[] xt, int rowsUsed) {
        HeadKernel.BEST.tileBf16(scratch.bf16, 0, len, xt, scratch.out);
    }

    /** Ints of activation tiles per block in {@link #dotProduct} (2 MB: the block stays in L2 with a panel). */
    private static final int DOT_BLOCK_INTS = 1 << 19;

    /**
     * {@link TiledProduct#product} in bf16 dot products ({@link Bf16Dot}, {@code --products bf16dot}) for the n
     * activation rows already rounded into tiles ({@link Bf16Dot#packRows}): a block of tiles at a time, each group's
     * 32 rows gathered as column pairs (the stored bf16 values two at a time, no rounding) and run against every tile
     * of the block in one native call.
     */
    void dotProduct(int[] xb, int n, float[] y, int yStride, int g0, int g1) {
        int pairs = (cols + 1) / 2;
        int tileInts = 8 * pairs;
        int tiles = (n + 7) / 8;
        int blockTiles = Math.max(1, Math.min(tiles, DOT_BLOCK_INTS / tileInts));
        int[] panel = new int[TiledProduct.GROUP * pairs];
        float[] out = new float[blockTiles * 256];
        for (int t0 = 0; t0 < tiles; t0 += blockTiles) {
            int count = Math.min(blockTiles, tiles - t0);
            for (int g = g0; g < g1; g++) {
                fillPairs(g, panel, pairs);
                Bf16Dot.tiles(panel, 0, 16 * pairs, pairs, xb, t0 * tileInts, count, out);
                for (int t = t0; t < t0 + count; t++) {
                    for (int i = 0; i < Math.min(8, n - 8 * t); i++) {
                        System.arraycopy(out, (t - t0) * 256 + i * 32, y, (8 * t + i) * yStride + column(g), lanes(g));
                    }
                }
            }
        }
    }

    /**
     * Group g's rows as {@link Bf16Dot}'s panel: panel[q·16 + j] holds row j's columns 2q and 2q + 1 (the stored
     * little-endian pair as one int), rows 16–31 from panel[16·pairs] on; rows past the matrix and an odd width's
     * last high half are zeros.
     */
    private void fillPairs(int g, int[] panel, int pairs) {
        int whole = cols / 2;
        for (int j = 0; j < TiledProduct.GROUP; j++) {
            int at = (j < 16 ? 0 : 16 * pairs) + j % 16;
            int row = TiledProduct.GROUP * g + j;
            if (row >= rows) {
                for (int q = 0; q < pairs; q++) {
                    panel[at + 16 * q] = 0;
                }
                continue;
            }
            int base = row * 2 * cols;
            for (int q = 0; q < whole; q++) {
                panel[at + 16 * q] = w.getInt(base + 4 * q);
            }
            if (whole < pairs) {
                panel[at + 16 * whole] = w.getShort(base + 4 * whole) & 0xFFFF;
            }
        }
    }
}
