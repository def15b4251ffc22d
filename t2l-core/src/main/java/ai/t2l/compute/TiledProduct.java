package ai.t2l.compute;

import java.util.Arrays;

/**
 * Many activation rows against weights that are not stored as {@link HeadProduct}'s panels (int8 panels, mapped
 * row-major bfloat16): each chunk of {@link #CHUNK_COLS} columns of 32 weight rows (a <em>group</em>) is brought into
 * the head tile's panel layout once, into a scratch that stays in L2, and {@link HeadKernel}'s register tile then runs
 * it against every eight activation rows. So each weight is read from memory and converted once per block of
 * activation rows, and the FMAs run in the one register tile that generation and float32 batched decode use.
 *
 * <p>Each output lane is one fused multiply-add chain per chunk, from zero; the chunks' sums are added to y in order.
 * Activation rows go in blocks (at most {@link #BLOCK_TILES} tiles of 8 rows × the row's chunks, about 2 MB a thread
 * whatever the prompt), each block through all of the thread's groups before the next, so a long prompt reads its
 * weights once per block and the scratch stays bounded.
 */
final class TiledProduct {
    /** Columns per chunk: 16 int8 blocks of 32 (the four-row int8 form's chunk, so both give the same sums). */
    static final int CHUNK_COLS = Kernels.BLOCK * VectorInt8Kernel.CHUNK_BLOCKS;

    /** Weight rows per group: one panel of {@link HeadProduct#FEATURES_PER_PANEL}, in two halves of 16. */
    static final int GROUP = HeadProduct.FEATURES_PER_PANEL;

    private static final int TILE = HeadProduct.ROWS_PER_TILE;

    /** Activation tiles per block of rows (chunks × tiles, 32 KB each). */
    static final int BLOCK_TILES = 64;

    private TiledProduct() {}

    /** A matrix's weight rows, 32 at a time, as the head tile reads them. */
    interface Groups {
        /** How many of group g's 32 outputs exist (a last group may be short). */
        int lanes(int g);

        /** Where group g's first output goes in a row of y. */
        int column(int g);

        /** Columns [c0, c0 + len) of group g into the scratch's panel, as {@link #tile} reads it. */
        void fill(int g, int c0, int len, Scratch s);

        /** The head tile of the filled panel against the 8 activation rows of xt (k-major), into the scratch's out. */
        void tile(int g, Scratch s, int len, float[] xt, int rows);
    }

    /** A thread's scratch: the group's panel (float32 or bfloat16 pairs), the activations' tiles, one output tile. */
    static final class Scratch {
        final float[] f32 = new float[GROUP * CHUNK_COLS];
        final int[] bf16 = new int[GROUP / 2 * CHUNK_COLS];
        final float[] out = new float[TILE * GROUP];
        private float[][] xt = new float[0][];

        /** At least {@code count} arrays for activation tiles (tile t of chunk c, k-major {@code xt[k·8 + i]}). */
        private float[][] xTiles(int count) {
            if (xt.length < count) {
                float[][] grown = Arrays.copyOf(xt, count);
                for (int i = xt.length; i < count; i++) {
                    grown[i] = new float[CHUNK_COLS * TILE];
                }
                xt = grown;
            }
            return xt;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * y[r·yStride + column(g) + f] = Σ_c W[32g + f][c] · x[r·width + c] for groups [g0, g1), f below lanes(g), and
     * the n activation rows of x (width columns each).
     */
    static void product(Groups groups, int width, float[] x, int n, float[] y, int yStride, int g0, int g1) {
        int chunks = (width + CHUNK_COLS - 1) / CHUNK_COLS;
        int blockRows = TILE * Math.max(1, BLOCK_TILES / chunks);
        Scratch scratch = SCRATCH.get();
        for (int r0 = 0; r0 < n; r0 += blockRows) {
            int rows = Math.min(blockRows, n - r0);
            int tiles = (rows + TILE - 1) / TILE;
            float[][] xt = scratch.xTiles(chunks * tiles);
            for (int c = 0; c < chunks; c++) {
                int c0 = c * CHUNK_COLS;
                int len = Math.min(CHUNK_COLS, width - c0);
                for (int t = 0; t < tiles; t++) { // the tile's rows past the block: computed, never stored
                    HeadProduct.rowTile(x, r0 + t * TILE, Math.min(TILE, rows - t * TILE), width, c0, len,
                            xt[c * tiles + t]);
                }
            }
            for (int g = g0; g < g1; g++) {
                int lanes = groups.lanes(g);
                int column = groups.column(g);
                for (int c = 0; c < chunks; c++) {
                    int c0 = c * CHUNK_COLS;
                    int len = Math.min(CHUNK_COLS, width - c0);
                    groups.fill(g, c0, len, scratch);
                    for (int t = 0; t < tiles; t++) {
                        int tileRows = Math.min(TILE, rows - t * TILE);
                        groups.tile(g, scratch, len, xt[c * tiles + t], tileRows);
                        for (int i = 0; i < tileRows; i++) {
                            int at = (r0 + t * TILE + i) * yStride + column;
                            int from = i * GROUP;
                            if (c == 0) {
                                System.arraycopy(scratch.out, from, y, at, lanes);
                            } else {
                                for (int f = 0; f < lanes; f++) {
                                    y[at + f] += scratch.out[from + f];
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
