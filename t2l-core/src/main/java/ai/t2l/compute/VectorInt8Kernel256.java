package ai.t2l.compute;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Kernels#int8} for CPUs whose widest vectors hold 8 floats (AVX2), on the same 16-row panels
 * ({@link Int8Panels}) as {@link VectorInt8Kernel}: a panel column's 16 bytes are two 8-byte loads, each widened to
 * 8 floats (C2: vpmovsxbd, vcvtdq2ps), rows 0–7 and 8–15. Such a CPU has 16 vector registers, so each kernel keeps
 * at most 8 accumulators:
 * <ul>
 *   <li>one activation row: two panels half the thread's range apart (two memory streams), each block of 32 columns
 *       summed unscaled in 4 registers and scaled once into 4 accumulators;</li>
 *   <li>more rows: one panel against four activation rows at a time (8 accumulators), each column dequantized once
 *       (× its scale) for the four, in chunks of {@link VectorInt8Kernel#CHUNK_BLOCKS} blocks (16 KB of the panel)
 *       that every group of four rows runs before the next chunk, so each weight comes from memory once.</li>
 * </ul>
 * Without it such a CPU ran the plain loops (BENCHMARKS.md, issue 15, twenty-first session).
 */
final class VectorInt8Kernel256 {
    private static final VectorSpecies<Byte> BS = ByteVector.SPECIES_64;
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_256;

    private VectorInt8Kernel256() {}

    /** True when this JVM and CPU run 256-bit float vectors natively (AVX2 or wider). */
    static boolean runsHere() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() >= FS.vectorBitSize();
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
                one(q, s, quads, blocks, x, 0, y, yBase, pa, i + h < count ? pa + h : pa);
            }
            return;
        }
        for (int p = p0; p < p1; p++) {
            for (int b = 0; b < blocks; b += VectorInt8Kernel.CHUNK_BLOCKS) {
                int to = Math.min(blocks, b + VectorInt8Kernel.CHUNK_BLOCKS);
                for (int r = 0; r < n; r += 4) { // the chunk of this panel stays in L1 for the next four rows
                    four(q, s, quads, blocks, x, r * width, width, Math.min(4, n - r), y,
                            r * yStride + yBase + 16 * p, yStride, p, b, to, b == 0);
                }
            }
        }
    }

    /** The 8 floats of a panel column's rows 0–7 (at o) or 8–15 (at o + 8). */
    private static FloatVector widen(byte[] q, int o) {
        return (FloatVector) ByteVector.fromArray(BS, q, o).convertShape(VectorOperators.B2F, FS, 0);
    }

    /**
     * One activation row (offset xr in x) against panels pa and pb (pa == pb: once), into y at yAt + 16·p: each
     * block's 32 products summed unscaled, then scaled once (one multiply per block instead of one per value).
     */
    private static void one(byte[] q, float[] s, int quads, int blocks, float[] x, int xr, float[] y, int yAt,
            int pa, int pb) {
        FloatVector a0 = FloatVector.zero(FS), a1 = a0, b0 = a0, b1 = a0;
        int qa = pa * quads * 64;
        int qb = pb * quads * 64;
        for (int blk = 0; blk < blocks; blk++) {
            FloatVector t0 = FloatVector.zero(FS), t1 = t0, u0 = t0, u1 = t0;
            for (int jj = 0; jj < 8; jj++) { // a constant count: C2 unrolls it whole
                int j = 8 * blk + jj;
                for (int c = 0; c < 4; c++) {
                    FloatVector e = FloatVector.broadcast(FS, x[xr + 4 * j + c]);
                    int o = 64 * j + 16 * c;
                    t0 = widen(q, qa + o).fma(e, t0);
                    t1 = widen(q, qa + o + 8).fma(e, t1);
                    u0 = widen(q, qb + o).fma(e, u0);
                    u1 = widen(q, qb + o + 8).fma(e, u1);
                }
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
     * (first chunk) or added into y at yAt + i·yStride, for the first {@code rows} of them. With fewer than four rows
     * the missing ones repeat the first (computed, not stored): the panel is still read once.
     */
    private static void four(byte[] q, float[] s, int quads, int blocks, float[] x, int xr, int width, int rows,
            float[] y, int yAt, int yStride, int p, int from, int to, boolean first) {
        int x1 = rows > 1 ? width : 0;
        int x2 = rows > 2 ? 2 * width : 0;
        int x3 = rows > 3 ? 3 * width : 0;
        FloatVector a0 = FloatVector.zero(FS), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
        int qp = p * quads * 64;
        for (int j = 8 * from; j < 8 * to; j++) {
            int so = (p * blocks + (j >> 3)) * 16;
            FloatVector s0 = FloatVector.fromArray(FS, s, so);
            FloatVector s1 = FloatVector.fromArray(FS, s, so + 8);
            for (int c = 0; c < 4; c++) { // a constant count: C2 unrolls it whole
                int o = qp + 64 * j + 16 * c;
                FloatVector w0 = widen(q, o).mul(s0);
                FloatVector w1 = widen(q, o + 8).mul(s1);
                int xc = xr + 4 * j + c;
                FloatVector e = FloatVector.broadcast(FS, x[xc]);
                a0 = w0.fma(e, a0);
                a1 = w1.fma(e, a1);
                e = FloatVector.broadcast(FS, x[xc + x1]);
                b0 = w0.fma(e, b0);
                b1 = w1.fma(e, b1);
                e = FloatVector.broadcast(FS, x[xc + x2]);
                c0 = w0.fma(e, c0);
                c1 = w1.fma(e, c1);
                e = FloatVector.broadcast(FS, x[xc + x3]);
                d0 = w0.fma(e, d0);
                d1 = w1.fma(e, d1);
            }
        }
        store(a0, a1, y, yAt, first);
        if (rows > 1) {
            store(b0, b1, y, yAt + yStride, first);
        }
        if (rows > 2) {
            store(c0, c1, y, yAt + 2 * yStride, first);
        }
        if (rows > 3) {
            store(d0, d1, y, yAt + 3 * yStride, first);
        }
    }

    /** A row's 16 sums into y at o: stored, or added to what an earlier chunk stored. */
    private static void store(FloatVector v0, FloatVector v1, float[] y, int o, boolean first) {
        (first ? v0 : v0.add(FloatVector.fromArray(FS, y, o))).intoArray(y, o);
        (first ? v1 : v1.add(FloatVector.fromArray(FS, y, o + 8))).intoArray(y, o + 8);
    }
}
