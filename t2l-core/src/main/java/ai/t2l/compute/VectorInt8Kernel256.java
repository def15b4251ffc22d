package ai.t2l.compute;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Kernels#int8} for CPUs whose widest vectors hold 8 floats (AVX2), on the same 16-row panels
 * ({@link Int8Panels}) as {@link VectorInt8Kernel}: a panel column's 16 bytes are two 8-byte loads, each widened to
 * 8 floats (C2: vpmovsxbd, vcvtdq2ps), rows 0–7 and 8–15. Such a CPU has 16 vector registers, so the loops that
 * dequantize in registers keep at most 8 accumulators:
 * <ul>
 *   <li>one activation row: two panels half the thread's range apart (two memory streams), each block of 32 columns
 *       summed unscaled in 4 registers and scaled once into 4 accumulators;</li>
 *   <li>two to four rows: one panel against four activation rows at a time (8 accumulators), each column dequantized
 *       once (× its scale) for the four, in chunks of {@link VectorInt8Kernel#CHUNK_BLOCKS} blocks (16 KB of the
 *       panel), so each weight comes from memory once. One column per loop iteration: with a quad of four columns per
 *       iteration (as the 512-bit kernel has) C2 hoisted all sixteen broadcasts and spilled accumulators to the stack
 *       (54 stack accesses per 32 FMAs in the compiled loop), 31–35 against 40–46 G FMA/s, the same bits.</li>
 *   <li>from {@link #TILE_ROWS} rows (batched decode from five rows, prefill chunks), through {@link TiledProduct}:
 *       each chunk of a pair of panels dequantized once into a float32 scratch laid out as {@link HeadProduct}'s
 *       panels, then {@link HeadKernel}'s register tile (the one generation and float32 batched decode use) against
 *       every eight activation rows. Each lane is still one fused multiply-add chain over the chunk's columns from
 *       zero, each chunk's sums added to y, so the bits are those of the four-row form. On gemma-2-2b's shapes
 *       (2 cores, weights from memory, scratch {@code I8B}, medians of 12 rounds) 8 rows ran at 39–45 against 35–42
 *       G FMA/s, 32 rows at 67 against 42–44, 5 rows at 35 against 25; gemma-2-2b int8 prefilled 54–65% faster and
 *       decoded batch 8 14–20% faster (BENCHMARKS.md, issue 15, twenty-fifth session).</li>
 * </ul>
 * Written out flat, no helper with vector arguments (as {@link VectorInt8Kernel}): a first version with a helper per
 * column ran at full speed in a micro-benchmark, but inside a gemma-2-2b decode step C2 left the helpers out of line
 * and boxed the vectors ({@code FloatVector.stOp} in the profile; batch-8 decode at 1.8 tokens/s). Without this kernel
 * such a CPU ran the plain loops (BENCHMARKS.md, issue 15, twenty-first session).
 */
final class VectorInt8Kernel256 {
    private static final VectorOperators.Conversion<Byte, Float> B2F = VectorOperators.B2F;
    private static final VectorSpecies<Byte> BS = ByteVector.SPECIES_64;
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_256;

    private VectorInt8Kernel256() {}

    /** A batched kernel's sums: 4 rows × 16 lanes. */
    private static final ThreadLocal<float[]> SUMS = ThreadLocal.withInitial(() -> new float[64]);

    /**
     * True when this JVM and CPU run 256-bit float and int vectors natively (AVX2 or wider). AVX alone has 256-bit
     * float vectors but 128-bit int ones, and no widening of bytes into a 256-bit vector: the JIT would emulate it.
     */
    static boolean runsHere() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256
                && IntVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
    }

    /** {@link Kernels#int8}: panels [p0, p1) against n activation rows. */
    static void product(byte[] q, float[] s, int quads, float[] x, int n, float[] y, int yStride, int yOff, int p0,
            int p1) {
        int blocks = quads / 8;
        int width = 4 * quads;
        int yBase = yOff - 16 * p0;
        int count = p1 - p0;
        if (n == 1) {
            int h = (count + 1) / 2; // panel pairs (p0 + i, p0 + i + h); an odd last panel with itself
            for (int i = 0; i < h; i++) {
                int pa = p0 + i;
                one(q, s, quads, blocks, x, y, yBase, pa, i + h < count ? pa + h : pa);
            }
            return;
        }
        if (n >= TILE_ROWS) {
            tiled(q, s, quads, x, n, y, yStride, yBase, p0, p1);
            return;
        }
        float[] sums = SUMS.get();
        for (int p = p0; p < p1; p++) {
            for (int b = 0; b < blocks; b += VectorInt8Kernel.CHUNK_BLOCKS) {
                int to = Math.min(blocks, b + VectorInt8Kernel.CHUNK_BLOCKS);
                for (int r = 0; r < n; r += 4) { // the chunk of this panel stays in L1 for the next four rows
                    four(q, s, quads, blocks, x, r * width, width, Math.min(4, n - r), y,
                            r * yStride + yBase + 16 * p, yStride, p, b, to, b == 0, sums);
                }
            }
        }
    }

    /** Fewest activation rows for the dequantized chunks and the head tile (four rows ran alike both ways). */
    static final int TILE_ROWS = 5;

    /**
     * n ≥ {@link #TILE_ROWS} rows against panels [p0, p1) through {@link TiledProduct}, taken two at a time (an odd
     * last panel with itself, its sums computed twice and stored once), each chunk of columns dequantized once per
     * block of rows.
     */
    private static void tiled(byte[] q, float[] s, int quads, float[] x, int n, float[] y, int yStride, int yBase,
            int p0, int p1) {
        int blocks = quads / 8;
        HeadKernel kernel = HeadKernel.BEST;
        TiledProduct.Groups pairs = new TiledProduct.Groups() {
            @Override
            public int lanes(int g) {
                return p0 + 2 * g + 1 < p1 ? 2 * Int8Panels.P : Int8Panels.P;
            }

            @Override
            public int column(int g) {
                return yBase + Int8Panels.P * (p0 + 2 * g);
            }

            @Override
            public void fill(int g, int c0, int len, TiledProduct.Scratch scratch) {
                int p = p0 + 2 * g;
                int b0 = c0 / Kernels.BLOCK;
                int b1 = b0 + len / Kernels.BLOCK;
                dequantize(q, s, quads, blocks, p, b0, b1, scratch.f32, 0);
                if (p + 1 < p1) {
                    dequantize(q, s, quads, blocks, p + 1, b0, b1, scratch.f32, Int8Panels.P * len);
                }
            }

            @Override
            public void tile(int g, TiledProduct.Scratch scratch, int len, float[] xt, int rows) {
                int second = p0 + 2 * g + 1 < p1 ? Int8Panels.P * len : 0;
                kernel.tileRows(scratch.f32, 0, second, len, xt, scratch.out, rows);
            }
        };
        TiledProduct.product(pairs, 4 * quads, x, n, y, yStride, 0, (p1 - p0 + 1) / 2);
    }

    /**
     * Blocks [b0, b1) of panel p as float32 (each value × its scale, one rounding: the four-row form's weight) into
     * d from {@code at}, k-major: column k's 16 rows at d[at + 16·(k − 32·b0) ..].
     */
    private static void dequantize(byte[] q, float[] s, int quads, int blocks, int p, int b0, int b1, float[] d,
            int at) {
        int qp = p * quads * 64;
        for (int blk = b0; blk < b1; blk++) {
            int so = (p * blocks + blk) * 16;
            FloatVector s0 = FloatVector.fromArray(FS, s, so);
            FloatVector s1 = FloatVector.fromArray(FS, s, so + 8);
            for (int k = 32 * blk; k < 32 * blk + 32; k++) {
                int o = qp + 16 * k;
                int to = at + 16 * (k - 32 * b0);
                ((FloatVector) ByteVector.fromArray(BS, q, o).convertShape(B2F, FS, 0)).mul(s0).intoArray(d, to);
                ((FloatVector) ByteVector.fromArray(BS, q, o + 8).convertShape(B2F, FS, 0)).mul(s1)
                        .intoArray(d, to + 8);
            }
        }
    }

    /**
     * The one activation row x against panels pa and pb, into y at yAt + 16·p (pa == pb for an odd last panel: its
     * sums computed twice and stored alike): each block's 32 products summed unscaled, then scaled once (one
     * multiply per block instead of one per value).
     */
    private static void one(byte[] q, float[] s, int quads, int blocks, float[] x, float[] y, int yAt, int pa,
            int pb) {
        FloatVector a0 = FloatVector.zero(FS), a1 = a0, b0 = a0, b1 = a0;
        int qa = pa * quads * 64;
        int qb = pb * quads * 64;
        for (int blk = 0; blk < blocks; blk++) {
            FloatVector t0 = FloatVector.zero(FS), t1 = t0, u0 = t0, u1 = t0;
            for (int jj = 0; jj < 8; jj++) { // the block's eight quads (C2 keeps this a loop: 16 FMAs a turn)
                int j = 8 * blk + jj;
                int xc = 4 * j;
                int oa = qa + 64 * j;
                int ob = qb + 64 * j;
                FloatVector e;
                e = FloatVector.broadcast(FS, x[xc]);
                t0 = ((FloatVector) ByteVector.fromArray(BS, q, oa).convertShape(B2F, FS, 0)).fma(e, t0);
                t1 = ((FloatVector) ByteVector.fromArray(BS, q, oa + 8).convertShape(B2F, FS, 0)).fma(e, t1);
                u0 = ((FloatVector) ByteVector.fromArray(BS, q, ob).convertShape(B2F, FS, 0)).fma(e, u0);
                u1 = ((FloatVector) ByteVector.fromArray(BS, q, ob + 8).convertShape(B2F, FS, 0)).fma(e, u1);
                e = FloatVector.broadcast(FS, x[xc + 1]);
                t0 = ((FloatVector) ByteVector.fromArray(BS, q, oa + 16).convertShape(B2F, FS, 0)).fma(e, t0);
                t1 = ((FloatVector) ByteVector.fromArray(BS, q, oa + 24).convertShape(B2F, FS, 0)).fma(e, t1);
                u0 = ((FloatVector) ByteVector.fromArray(BS, q, ob + 16).convertShape(B2F, FS, 0)).fma(e, u0);
                u1 = ((FloatVector) ByteVector.fromArray(BS, q, ob + 24).convertShape(B2F, FS, 0)).fma(e, u1);
                e = FloatVector.broadcast(FS, x[xc + 2]);
                t0 = ((FloatVector) ByteVector.fromArray(BS, q, oa + 32).convertShape(B2F, FS, 0)).fma(e, t0);
                t1 = ((FloatVector) ByteVector.fromArray(BS, q, oa + 40).convertShape(B2F, FS, 0)).fma(e, t1);
                u0 = ((FloatVector) ByteVector.fromArray(BS, q, ob + 32).convertShape(B2F, FS, 0)).fma(e, u0);
                u1 = ((FloatVector) ByteVector.fromArray(BS, q, ob + 40).convertShape(B2F, FS, 0)).fma(e, u1);
                e = FloatVector.broadcast(FS, x[xc + 3]);
                t0 = ((FloatVector) ByteVector.fromArray(BS, q, oa + 48).convertShape(B2F, FS, 0)).fma(e, t0);
                t1 = ((FloatVector) ByteVector.fromArray(BS, q, oa + 56).convertShape(B2F, FS, 0)).fma(e, t1);
                u0 = ((FloatVector) ByteVector.fromArray(BS, q, ob + 48).convertShape(B2F, FS, 0)).fma(e, u0);
                u1 = ((FloatVector) ByteVector.fromArray(BS, q, ob + 56).convertShape(B2F, FS, 0)).fma(e, u1);
            }
            int sa = (pa * blocks + blk) * 16;
            int sb = (pb * blocks + blk) * 16;
            a0 = t0.fma(FloatVector.fromArray(FS, s, sa), a0);
            a1 = t1.fma(FloatVector.fromArray(FS, s, sa + 8), a1);
            b0 = u0.fma(FloatVector.fromArray(FS, s, sb), b0);
            b1 = u1.fma(FloatVector.fromArray(FS, s, sb + 8), b1);
        }
        a0.intoArray(y, yAt + 16 * pa);
        a1.intoArray(y, yAt + 16 * pa + 8);
        b0.intoArray(y, yAt + 16 * pb);
        b1.intoArray(y, yAt + 16 * pb + 8);
    }

    /**
     * Four activation rows (from offset xr, width apart) against panel p, blocks [from, to): row i's 16 sums stored
     * (first chunk) or added into y at yAt + i·yStride, for the first {@code rows} of them, through {@code sums} (64
     * floats). With fewer than four rows the missing ones repeat the first (computed, not stored): the panel is still
     * read once.
     */
    private static void four(byte[] q, float[] s, int quads, int blocks, float[] x, int xr, int width, int rows,
            float[] y, int yAt, int yStride, int p, int from, int to, boolean first, float[] sums) {
        int x1 = rows > 1 ? width : 0;
        int x2 = rows > 2 ? 2 * width : 0;
        int x3 = rows > 3 ? 3 * width : 0;
        FloatVector a0 = FloatVector.zero(FS), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
        int qp = p * quads * 64;
        for (int k = 32 * from; k < 32 * to; k++) { // one column per iteration (see the class comment)
            int so = (p * blocks + (k >> 5)) * 16;
            int o = qp + 16 * k;
            int xc = xr + k;
            FloatVector w0 = ((FloatVector) ByteVector.fromArray(BS, q, o).convertShape(B2F, FS, 0))
                    .mul(FloatVector.fromArray(FS, s, so));
            FloatVector w1 = ((FloatVector) ByteVector.fromArray(BS, q, o + 8).convertShape(B2F, FS, 0))
                    .mul(FloatVector.fromArray(FS, s, so + 8));
            FloatVector e = FloatVector.broadcast(FS, x[xc]);
            a0 = w0.fma(e, a0);
            a1 = w1.fma(e, a1);
            e = FloatVector.broadcast(FS, x[x1 + xc]);
            b0 = w0.fma(e, b0);
            b1 = w1.fma(e, b1);
            e = FloatVector.broadcast(FS, x[x2 + xc]);
            c0 = w0.fma(e, c0);
            c1 = w1.fma(e, c1);
            e = FloatVector.broadcast(FS, x[x3 + xc]);
            d0 = w0.fma(e, d0);
            d1 = w1.fma(e, d1);
        }
        a0.intoArray(sums, 0);
        a1.intoArray(sums, 8);
        b0.intoArray(sums, 16);
        b1.intoArray(sums, 24);
        c0.intoArray(sums, 32);
        c1.intoArray(sums, 40);
        d0.intoArray(sums, 48);
        d1.intoArray(sums, 56);
        for (int r = 0; r < rows; r++) {
            for (int h = 0; h < 16; h += 8) {
                int o = yAt + r * yStride + h;
                FloatVector v = FloatVector.fromArray(FS, sums, 16 * r + h);
                (first ? v : v.add(FloatVector.fromArray(FS, y, o))).intoArray(y, o);
            }
        }
    }
}
