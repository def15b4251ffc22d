package ai.t2l.compute;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Kernels#int8} on the Vector API (512-bit vectors): int8 weights in 16-row panels ({@link Int8Panels}), a
 * vector's sixteen lanes being sixteen output rows. Each column of a panel is one 16-byte load, widened to float
 * (C2: vpmovsxbd, vcvtdq2ps) and multiplied by a broadcast activation (the outer-product form: no lane sums at the
 * end). The loops step four columns (a quad, 64 bytes of a panel) at a time.
 * <ul>
 *   <li>one activation row: four panels a quarter of the thread's range apart (four long memory streams, as
 *       {@link RowBlocks} found for the row-major kernels), each block of 32 columns summed unscaled and scaled
 *       once;</li>
 *   <li>more rows: two panels half the range apart against eight (then four, then one) activation rows, each column
 *       dequantized once (× its scale) for all of them, sixteen (eight) accumulators; the columns go in chunks of
 *       {@link #CHUNK_BLOCKS} blocks, each chunk's sums added to y, which keeps a lane's float32 sum short (a scratch
 *       version summing 14,336 columns in one accumulator was off a float64 reference by up to 1.8e-3 of a result
 *       where the terms cancelled) and the activations' chunk in L1.</li>
 * </ul>
 * Written out flat, no helper per column: past C2's inlining budget the vectors get boxed (see {@link VectorKernels}).
 * Measured in docs/WEIGHTS.md "int8 in panels".
 */
final class VectorInt8Kernel {
    private static final VectorSpecies<Byte> BS = ByteVector.SPECIES_128;
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_512;

    /** Blocks of 32 columns per chunk of the batched kernels: 1,024 columns, eight activation rows in 32 KB. */
    static final int CHUNK_BLOCKS = 32;

    private VectorInt8Kernel() {}

    /** A kernel's partial sums: up to 8 rows x 2 panels x 16 lanes. */
    private static final ThreadLocal<float[]> SUMS = ThreadLocal.withInitial(() -> new float[16 * 16]);

    /**
     * A chunk's sums of {@code rows} activation rows from r0 (laid out as {@link #eight} writes them) into y: stored
     * for the first chunk, added for the next; an odd last panel (pa == pb) once.
     */
    private static void place(float[] sums, int rows, float[] y, int r0, int yStride, int yBase, int pa, int pb,
            boolean first) {
        for (int r = 0; r < rows; r++) {
            int at = (r0 + r) * yStride + yBase;
            for (int half = 0; half < (pb == pa ? 1 : 2); half++) {
                int from = 16 * (half * rows + r);
                int to = at + 16 * (half == 0 ? pa : pb);
                FloatVector v = FloatVector.fromArray(FS, sums, from);
                (first ? v : v.add(FloatVector.fromArray(FS, y, to))).intoArray(y, to);
            }
        }
    }

    /** {@link Kernels#int8}: panels [p0, p1) against n activation rows. */
    static void product(byte[] q, float[] s, int quads, float[] x, int n, float[] y, int yStride, int yOff, int p0,
            int p1) {
        int blocks = quads / 8;
        int count = p1 - p0;
        int yBase = yOff - 16 * p0;
        if (n == 1) {
            int g = count / 4;
            for (int i = 0; i < g; i++) {
                int p = p0 + i;
                one(q, s, quads, blocks, x, 0, y, yBase, p, p + g, p + 2 * g, p + 3 * g);
            }
            for (int p = p0 + 4 * g; p < p1; p++) {
                one(q, s, quads, blocks, x, 0, y, yBase, p, p, p, p);
            }
            return;
        }
        float[] sums = SUMS.get();
        int h = (count + 1) / 2; // panel pairs (p0 + i, p0 + i + h): two memory streams; an odd last panel twice
        for (int i = 0; i < h; i++) {
            int pa = p0 + i;
            int pb = i + h < count ? pa + h : pa;
            int r = 0;
            for (; r + 8 <= n; r += 8) {
                for (int b = 0; b < blocks; b += CHUNK_BLOCKS) {
                    eight(q, s, quads, blocks, x, r, pa, pb, b, Math.min(blocks, b + CHUNK_BLOCKS), sums);
                    place(sums, 8, y, r, yStride, yBase, pa, pb, b == 0);
                }
            }
            for (; r + 4 <= n; r += 4) {
                for (int b = 0; b < blocks; b += CHUNK_BLOCKS) {
                    four(q, s, quads, blocks, x, r, pa, pb, b, Math.min(blocks, b + CHUNK_BLOCKS), sums);
                    place(sums, 4, y, r, yStride, yBase, pa, pb, b == 0);
                }
            }
            for (; r < n; r++) {
                one(q, s, quads, blocks, x, r * 4 * quads, y, r * yStride + yBase, pa, pb, pa, pb);
            }
        }
    }

    /**
     * One activation row (offset xr in x) against panels pa, pb, pc, pd: each block's four products summed
     * unscaled, then scaled once (one multiply per block instead of one per value).
     */
    private static void one(byte[] q, float[] s, int quads, int blocks, float[] x, int xr, float[] y, int yAt,
            int pa, int pb, int pc, int pd) {
        FloatVector a0 = FloatVector.zero(FS), a1 = a0, a2 = a0, a3 = a0;
        int q0 = pa * quads * 64;
        int q1 = pb * quads * 64;
        int q2 = pc * quads * 64;
        int q3 = pd * quads * 64;
        for (int b = 0; b < blocks; b++) {
            FloatVector t0 = FloatVector.zero(FS), t1 = t0, t2 = t0, t3 = t0;
            for (int jj = 0; jj < 8; jj++) { // a constant count: C2 unrolls it whole
                int j = 8 * b + jj;
                int c = xr + 4 * j;
                FloatVector x0 = FloatVector.broadcast(FS, x[c + 0]);
                FloatVector x1 = FloatVector.broadcast(FS, x[c + 1]);
                FloatVector x2 = FloatVector.broadcast(FS, x[c + 2]);
                FloatVector x3 = FloatVector.broadcast(FS, x[c + 3]);
                t0 = ((FloatVector) ByteVector.fromArray(BS, q, q0 + 64 * j)
                        .convertShape(VectorOperators.B2F, FS, 0)).fma(x0, t0);
                t0 = ((FloatVector) ByteVector.fromArray(BS, q, q0 + 64 * j + 16)
                        .convertShape(VectorOperators.B2F, FS, 0)).fma(x1, t0);
                t0 = ((FloatVector) ByteVector.fromArray(BS, q, q0 + 64 * j + 32)
                        .convertShape(VectorOperators.B2F, FS, 0)).fma(x2, t0);
                t0 = ((FloatVector) ByteVector.fromArray(BS, q, q0 + 64 * j + 48)
                        .convertShape(VectorOperators.B2F, FS, 0)).fma(x3, t0);
                t1 = ((FloatVector) ByteVector.fromArray(BS, q, q1 + 64 * j)
                        .convertShape(VectorOperators.B2F, FS, 0)).fma(x0, t1);
                t1 = ((FloatVector) ByteVector.fromArray(BS, q, q1 + 64 * j + 16)
                        .convertShape(VectorOperators.B2F, FS, 0)).fma(x1, t1);
                t1 = ((FloatVector) ByteVector.fromArray(BS, q, q1 + 64 * j + 32)
                        .convertShape(VectorOperators.B2F, FS, 0)).fma(x2, t1);
                t1 = ((FloatVector) ByteVector.fromArray(BS, q, q1 + 64 * j + 48)
                        .convertShape(VectorOperators.B2F, FS, 0)).fma(x3, t1);
                t2 = ((FloatVector) ByteVector.fromArray(BS, q, q2 + 64 * j)
                        .convertShape(VectorOperators.B2F, FS, 0)).fma(x0, t2);
                t2 = ((FloatVector) ByteVector.fromArray(BS, q, q2 + 64 * j + 16)
                        .convertShape(VectorOperators.B2F, FS, 0)).fma(x1, t2);
                t2 = ((FloatVector) ByteVector.fromArray(BS, q, q2 + 64 * j + 32)
                        .convertShape(VectorOperators.B2F, FS, 0)).fma(x2, t2);
                t2 = ((FloatVector) ByteVector.fromArray(BS, q, q2 + 64 * j + 48)
                        .convertShape(VectorOperators.B2F, FS, 0)).fma(x3, t2);
                t3 = ((FloatVector) ByteVector.fromArray(BS, q, q3 + 64 * j)
                        .convertShape(VectorOperators.B2F, FS, 0)).fma(x0, t3);
                t3 = ((FloatVector) ByteVector.fromArray(BS, q, q3 + 64 * j + 16)
                        .convertShape(VectorOperators.B2F, FS, 0)).fma(x1, t3);
                t3 = ((FloatVector) ByteVector.fromArray(BS, q, q3 + 64 * j + 32)
                        .convertShape(VectorOperators.B2F, FS, 0)).fma(x2, t3);
                t3 = ((FloatVector) ByteVector.fromArray(BS, q, q3 + 64 * j + 48)
                        .convertShape(VectorOperators.B2F, FS, 0)).fma(x3, t3);
            }
            a0 = t0.fma(FloatVector.fromArray(FS, s, (pa * blocks + b) * 16), a0);
            a1 = t1.fma(FloatVector.fromArray(FS, s, (pb * blocks + b) * 16), a1);
            a2 = t2.fma(FloatVector.fromArray(FS, s, (pc * blocks + b) * 16), a2);
            a3 = t3.fma(FloatVector.fromArray(FS, s, (pd * blocks + b) * 16), a3);
        }
        a0.intoArray(y, yAt + 16 * pa);
        a1.intoArray(y, yAt + 16 * pb);
        a2.intoArray(y, yAt + 16 * pc);
        a3.intoArray(y, yAt + 16 * pd);
    }

    /**
     * 8 activation rows from r0 against panels pa and pb, blocks [from, to): row r's sums into out[16·r ..]
     * for pa and out[16·(8 + r) ..] for pb. One flat loop over the quads, the scales loaded for each: 12–15%
     * faster than a loop per block with an inner loop of eight quads (which C2 unrolled into a body too large to
     * keep its 16 accumulators in registers); an inner loop bounded by 8·b + 8 was 9x slower still.
     */
    private static void eight(byte[] q, float[] s, int quads, int blocks, float[] x, int r0, int pa, int pb,
            int from, int to, float[] out) {
        int width = 4 * quads;
        FloatVector a0 = FloatVector.zero(FS), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector z0 = a0, z1 = a0, z2 = a0, z3 = a0, z4 = a0, z5 = a0, z6 = a0, z7 = a0;
        int qa = pa * quads * 64;
        int qb = pb * quads * 64;
        int xr = r0 * width;
        for (int j = 8 * from; j < 8 * to; j++) {
            FloatVector sa = FloatVector.fromArray(FS, s, (pa * blocks + (j >> 3)) * 16);
            FloatVector sb = FloatVector.fromArray(FS, s, (pb * blocks + (j >> 3)) * 16);
            int c = xr + 4 * j;
            FloatVector wa;
            FloatVector wb;
            FloatVector e;
            wa = ((FloatVector) ByteVector.fromArray(BS, q, qa + 64 * j)
                    .convertShape(VectorOperators.B2F, FS, 0)).mul(sa);
            wb = ((FloatVector) ByteVector.fromArray(BS, q, qb + 64 * j)
                    .convertShape(VectorOperators.B2F, FS, 0)).mul(sb);
            e = FloatVector.broadcast(FS, x[c + 0]);
            a0 = wa.fma(e, a0);
            z0 = wb.fma(e, z0);
            e = FloatVector.broadcast(FS, x[c + 1 * width + 0]);
            a1 = wa.fma(e, a1);
            z1 = wb.fma(e, z1);
            e = FloatVector.broadcast(FS, x[c + 2 * width + 0]);
            a2 = wa.fma(e, a2);
            z2 = wb.fma(e, z2);
            e = FloatVector.broadcast(FS, x[c + 3 * width + 0]);
            a3 = wa.fma(e, a3);
            z3 = wb.fma(e, z3);
            e = FloatVector.broadcast(FS, x[c + 4 * width + 0]);
            a4 = wa.fma(e, a4);
            z4 = wb.fma(e, z4);
            e = FloatVector.broadcast(FS, x[c + 5 * width + 0]);
            a5 = wa.fma(e, a5);
            z5 = wb.fma(e, z5);
            e = FloatVector.broadcast(FS, x[c + 6 * width + 0]);
            a6 = wa.fma(e, a6);
            z6 = wb.fma(e, z6);
            e = FloatVector.broadcast(FS, x[c + 7 * width + 0]);
            a7 = wa.fma(e, a7);
            z7 = wb.fma(e, z7);
            wa = ((FloatVector) ByteVector.fromArray(BS, q, qa + 64 * j + 16)
                    .convertShape(VectorOperators.B2F, FS, 0)).mul(sa);
            wb = ((FloatVector) ByteVector.fromArray(BS, q, qb + 64 * j + 16)
                    .convertShape(VectorOperators.B2F, FS, 0)).mul(sb);
            e = FloatVector.broadcast(FS, x[c + 1]);
            a0 = wa.fma(e, a0);
            z0 = wb.fma(e, z0);
            e = FloatVector.broadcast(FS, x[c + 1 * width + 1]);
            a1 = wa.fma(e, a1);
            z1 = wb.fma(e, z1);
            e = FloatVector.broadcast(FS, x[c + 2 * width + 1]);
            a2 = wa.fma(e, a2);
            z2 = wb.fma(e, z2);
            e = FloatVector.broadcast(FS, x[c + 3 * width + 1]);
            a3 = wa.fma(e, a3);
            z3 = wb.fma(e, z3);
            e = FloatVector.broadcast(FS, x[c + 4 * width + 1]);
            a4 = wa.fma(e, a4);
            z4 = wb.fma(e, z4);
            e = FloatVector.broadcast(FS, x[c + 5 * width + 1]);
            a5 = wa.fma(e, a5);
            z5 = wb.fma(e, z5);
            e = FloatVector.broadcast(FS, x[c + 6 * width + 1]);
            a6 = wa.fma(e, a6);
            z6 = wb.fma(e, z6);
            e = FloatVector.broadcast(FS, x[c + 7 * width + 1]);
            a7 = wa.fma(e, a7);
            z7 = wb.fma(e, z7);
            wa = ((FloatVector) ByteVector.fromArray(BS, q, qa + 64 * j + 32)
                    .convertShape(VectorOperators.B2F, FS, 0)).mul(sa);
            wb = ((FloatVector) ByteVector.fromArray(BS, q, qb + 64 * j + 32)
                    .convertShape(VectorOperators.B2F, FS, 0)).mul(sb);
            e = FloatVector.broadcast(FS, x[c + 2]);
            a0 = wa.fma(e, a0);
            z0 = wb.fma(e, z0);
            e = FloatVector.broadcast(FS, x[c + 1 * width + 2]);
            a1 = wa.fma(e, a1);
            z1 = wb.fma(e, z1);
            e = FloatVector.broadcast(FS, x[c + 2 * width + 2]);
            a2 = wa.fma(e, a2);
            z2 = wb.fma(e, z2);
            e = FloatVector.broadcast(FS, x[c + 3 * width + 2]);
            a3 = wa.fma(e, a3);
            z3 = wb.fma(e, z3);
            e = FloatVector.broadcast(FS, x[c + 4 * width + 2]);
            a4 = wa.fma(e, a4);
            z4 = wb.fma(e, z4);
            e = FloatVector.broadcast(FS, x[c + 5 * width + 2]);
            a5 = wa.fma(e, a5);
            z5 = wb.fma(e, z5);
            e = FloatVector.broadcast(FS, x[c + 6 * width + 2]);
            a6 = wa.fma(e, a6);
            z6 = wb.fma(e, z6);
            e = FloatVector.broadcast(FS, x[c + 7 * width + 2]);
            a7 = wa.fma(e, a7);
            z7 = wb.fma(e, z7);
            wa = ((FloatVector) ByteVector.fromArray(BS, q, qa + 64 * j + 48)
                    .convertShape(VectorOperators.B2F, FS, 0)).mul(sa);
            wb = ((FloatVector) ByteVector.fromArray(BS, q, qb + 64 * j + 48)
                    .convertShape(VectorOperators.B2F, FS, 0)).mul(sb);
            e = FloatVector.broadcast(FS, x[c + 3]);
            a0 = wa.fma(e, a0);
            z0 = wb.fma(e, z0);
            e = FloatVector.broadcast(FS, x[c + 1 * width + 3]);
            a1 = wa.fma(e, a1);
            z1 = wb.fma(e, z1);
            e = FloatVector.broadcast(FS, x[c + 2 * width + 3]);
            a2 = wa.fma(e, a2);
            z2 = wb.fma(e, z2);
            e = FloatVector.broadcast(FS, x[c + 3 * width + 3]);
            a3 = wa.fma(e, a3);
            z3 = wb.fma(e, z3);
            e = FloatVector.broadcast(FS, x[c + 4 * width + 3]);
            a4 = wa.fma(e, a4);
            z4 = wb.fma(e, z4);
            e = FloatVector.broadcast(FS, x[c + 5 * width + 3]);
            a5 = wa.fma(e, a5);
            z5 = wb.fma(e, z5);
            e = FloatVector.broadcast(FS, x[c + 6 * width + 3]);
            a6 = wa.fma(e, a6);
            z6 = wb.fma(e, z6);
            e = FloatVector.broadcast(FS, x[c + 7 * width + 3]);
            a7 = wa.fma(e, a7);
            z7 = wb.fma(e, z7);
        }
        a0.intoArray(out, 0);
        a1.intoArray(out, 16);
        a2.intoArray(out, 32);
        a3.intoArray(out, 48);
        a4.intoArray(out, 64);
        a5.intoArray(out, 80);
        a6.intoArray(out, 96);
        a7.intoArray(out, 112);
        z0.intoArray(out, 128);
        z1.intoArray(out, 144);
        z2.intoArray(out, 160);
        z3.intoArray(out, 176);
        z4.intoArray(out, 192);
        z5.intoArray(out, 208);
        z6.intoArray(out, 224);
        z7.intoArray(out, 240);
    }

    /**
     * 4 activation rows from r0 against panels pa and pb, blocks [from, to): row r's sums into out[16·r ..]
     * for pa and out[16·(4 + r) ..] for pb. One flat loop over the quads, the scales loaded for each: 12–15%
     * faster than a loop per block with an inner loop of eight quads (which C2 unrolled into a body too large to
     * keep its 16 accumulators in registers); an inner loop bounded by 8·b + 8 was 9x slower still.
     */
    private static void four(byte[] q, float[] s, int quads, int blocks, float[] x, int r0, int pa, int pb,
            int from, int to, float[] out) {
        int width = 4 * quads;
        FloatVector a0 = FloatVector.zero(FS), a1 = a0, a2 = a0, a3 = a0;
        FloatVector z0 = a0, z1 = a0, z2 = a0, z3 = a0;
        int qa = pa * quads * 64;
        int qb = pb * quads * 64;
        int xr = r0 * width;
        for (int j = 8 * from; j < 8 * to; j++) {
            FloatVector sa = FloatVector.fromArray(FS, s, (pa * blocks + (j >> 3)) * 16);
            FloatVector sb = FloatVector.fromArray(FS, s, (pb * blocks + (j >> 3)) * 16);
            int c = xr + 4 * j;
            FloatVector wa;
            FloatVector wb;
            FloatVector e;
            wa = ((FloatVector) ByteVector.fromArray(BS, q, qa + 64 * j)
                    .convertShape(VectorOperators.B2F, FS, 0)).mul(sa);
            wb = ((FloatVector) ByteVector.fromArray(BS, q, qb + 64 * j)
                    .convertShape(VectorOperators.B2F, FS, 0)).mul(sb);
            e = FloatVector.broadcast(FS, x[c + 0]);
            a0 = wa.fma(e, a0);
            z0 = wb.fma(e, z0);
            e = FloatVector.broadcast(FS, x[c + 1 * width + 0]);
            a1 = wa.fma(e, a1);
            z1 = wb.fma(e, z1);
            e = FloatVector.broadcast(FS, x[c + 2 * width + 0]);
            a2 = wa.fma(e, a2);
            z2 = wb.fma(e, z2);
            e = FloatVector.broadcast(FS, x[c + 3 * width + 0]);
            a3 = wa.fma(e, a3);
            z3 = wb.fma(e, z3);
            wa = ((FloatVector) ByteVector.fromArray(BS, q, qa + 64 * j + 16)
                    .convertShape(VectorOperators.B2F, FS, 0)).mul(sa);
            wb = ((FloatVector) ByteVector.fromArray(BS, q, qb + 64 * j + 16)
                    .convertShape(VectorOperators.B2F, FS, 0)).mul(sb);
            e = FloatVector.broadcast(FS, x[c + 1]);
            a0 = wa.fma(e, a0);
            z0 = wb.fma(e, z0);
            e = FloatVector.broadcast(FS, x[c + 1 * width + 1]);
            a1 = wa.fma(e, a1);
            z1 = wb.fma(e, z1);
            e = FloatVector.broadcast(FS, x[c + 2 * width + 1]);
            a2 = wa.fma(e, a2);
            z2 = wb.fma(e, z2);
            e = FloatVector.broadcast(FS, x[c + 3 * width + 1]);
            a3 = wa.fma(e, a3);
            z3 = wb.fma(e, z3);
            wa = ((FloatVector) ByteVector.fromArray(BS, q, qa + 64 * j + 32)
                    .convertShape(VectorOperators.B2F, FS, 0)).mul(sa);
            wb = ((FloatVector) ByteVector.fromArray(BS, q, qb + 64 * j + 32)
                    .convertShape(VectorOperators.B2F, FS, 0)).mul(sb);
            e = FloatVector.broadcast(FS, x[c + 2]);
            a0 = wa.fma(e, a0);
            z0 = wb.fma(e, z0);
            e = FloatVector.broadcast(FS, x[c + 1 * width + 2]);
            a1 = wa.fma(e, a1);
            z1 = wb.fma(e, z1);
            e = FloatVector.broadcast(FS, x[c + 2 * width + 2]);
            a2 = wa.fma(e, a2);
            z2 = wb.fma(e, z2);
            e = FloatVector.broadcast(FS, x[c + 3 * width + 2]);
            a3 = wa.fma(e, a3);
            z3 = wb.fma(e, z3);
            wa = ((FloatVector) ByteVector.fromArray(BS, q, qa + 64 * j + 48)
                    .convertShape(VectorOperators.B2F, FS, 0)).mul(sa);
            wb = ((FloatVector) ByteVector.fromArray(BS, q, qb + 64 * j + 48)
                    .convertShape(VectorOperators.B2F, FS, 0)).mul(sb);
            e = FloatVector.broadcast(FS, x[c + 3]);
            a0 = wa.fma(e, a0);
            z0 = wb.fma(e, z0);
            e = FloatVector.broadcast(FS, x[c + 1 * width + 3]);
            a1 = wa.fma(e, a1);
            z1 = wb.fma(e, z1);
            e = FloatVector.broadcast(FS, x[c + 2 * width + 3]);
            a2 = wa.fma(e, a2);
            z2 = wb.fma(e, z2);
            e = FloatVector.broadcast(FS, x[c + 3 * width + 3]);
            a3 = wa.fma(e, a3);
            z3 = wb.fma(e, z3);
        }
        a0.intoArray(out, 0);
        a1.intoArray(out, 16);
        a2.intoArray(out, 32);
        a3.intoArray(out, 48);
        z0.intoArray(out, 64);
        z1.intoArray(out, 80);
        z2.intoArray(out, 96);
        z3.intoArray(out, 112);
    }
}
