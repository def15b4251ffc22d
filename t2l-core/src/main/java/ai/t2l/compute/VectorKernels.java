package ai.t2l.compute;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels (jdk.incubator.vector on Java 17). Shape-changing casts (short → float, byte → float) are slow
 * on JDK 17, so weights are loaded as ints and widened with shifts and masks that keep the vector shape:
 * <ul>
 *   <li>bfloat16 pairs: the even element is {@code i << 16}, the odd one {@code i & 0xFFFF0000}, reinterpreted as
 *       floats (bf16 is the top half of a float32, so this is exact);</li>
 *   <li>float16 pairs: {@code ((h & 0x7FFF) << 13)} read as a float and multiplied by 2^112 rebias the exponent
 *       (exact for normal and subnormal halves; weights are finite), then the sign bit is put back;</li>
 *   <li>int8 quads: byte k of each int is {@code (i << (24 - 8k)) >> 24}, converted int → float in place.</li>
 * </ul>
 * Measured on this machine (2 cores, AVX-512, JDK 17.0.15, 14336 × 4096 bf16): 12–14 GB/s from a
 * MappedByteBuffer, 14–17 GB/s from a heap int[], against ~2 GB/s for short→float casts; docs/WEIGHTS.md.
 */
final class VectorKernels implements Kernels {
    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final int L = FS.length(); // floats per vector (16 with AVX-512)
    private static final float F16_REBIAS = 0x1p112f;
    /** Lanes of the upper half: with int8, lanes [0, L/2) belong to one 32-value block when L = 16. */
    private static final VectorMask<Float> UPPER = VectorMask.fromLong(FS, ((1L << L) - 1) & ~((1L << (L / 2)) - 1));

    VectorKernels() {
        if (IS.length() != L) {
            throw new IllegalStateException("int and float vectors differ in lanes");
        }
    }

    private static FloatVector even(IntVector v, boolean f16) {
        if (!f16) {
            return v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
        }
        FloatVector mag = v.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(F16_REBIAS);
        return mag.reinterpretAsInts().or(v.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }

    private static FloatVector odd(IntVector v, boolean f16) {
        if (!f16) {
            return v.and(0xFFFF0000).reinterpretAsFloats();
        }
        FloatVector mag = v.lanewise(VectorOperators.LSHR, 16).and(0x7FFF).lanewise(VectorOperators.LSHL, 13)
                .reinterpretAsFloats().mul(F16_REBIAS);
        return mag.reinterpretAsInts().or(v.and(0x80000000)).reinterpretAsFloats();
    }

    @Override
    public void half(ByteBuffer w, int base, int cols, boolean f16, float[] xe, float[] xo, float[] x, int n,
            float[] y, int yStride, int o0, int o1) {
        int half = cols / 2;
        int vecEnd = half - half % L; // pairs covered by whole vectors
        for (int o = o0; o < o1; o++) {
            int off = (o - base) * cols * 2;
            int r = 0;
            boolean pair = PAIRED_ROWS && o + 1 < o1 && n >= 4;
            for (; r + 4 <= n; r += 4) {
                if (pair) {
                    halfRows2x4(w, off, off + cols * 2, f16, xe, xo, half, vecEnd, r, y, yStride, o);
                } else {
                    halfRow4(w, off, f16, xe, xo, half, vecEnd, r, y, yStride, o);
                }
            }
            if (pair) { // the second weight row's remaining activation rows and tails
                halfRest(w, base, cols, f16, xe, xo, x, n, r, y, yStride, o + 1, half, vecEnd);
            }
            for (; r < n; r++) {
                y[r * yStride + o] = halfRow1(w, off, f16, xe, xo, half, vecEnd, r);
            }
            if (vecEnd < half || (cols & 1) != 0) {
                for (r = 0; r < n; r++) {
                    float t = 0;
                    for (int c = 2 * vecEnd; c < cols; c++) {
                        t += ScalarKernels.decode(w.getShort(off + 2 * c), f16) * x[r * cols + c];
                    }
                    y[r * yStride + o] += t;
                }
            }
            if (pair) {
                o++; // done above
            }
        }
    }

    /**
     * Two weight rows against four activation rows share every activation load (measured paired on 2026-12-02:
     * docs/WEIGHTS.md). Off with -Dt2l.compute.pairedRows=false, for A/B runs.
     */
    private static final boolean PAIRED_ROWS = !"false".equals(System.getProperty("t2l.compute.pairedRows"));

    /** What {@link #half} does for row o from activation row r0 on, plus the tails: for the paired second row. */
    private static void halfRest(ByteBuffer w, int base, int cols, boolean f16, float[] xe, float[] xo, float[] x,
            int n, int r0, float[] y, int yStride, int o, int half, int vecEnd) {
        int off = (o - base) * cols * 2;
        for (int r = r0; r < n; r++) {
            y[r * yStride + o] = halfRow1(w, off, f16, xe, xo, half, vecEnd, r);
        }
        if (vecEnd < half || (cols & 1) != 0) {
            for (int r = 0; r < n; r++) {
                float t = 0;
                for (int c = 2 * vecEnd; c < cols; c++) {
                    t += ScalarKernels.decode(w.getShort(off + 2 * c), f16) * x[r * cols + c];
                }
                y[r * yStride + o] += t;
            }
        }
    }

    /** Weight rows o and o+1 (at byte offsets offA, offB) against activation rows r..r+3: eight FMA chains. */
    private static void halfRows2x4(ByteBuffer w, int offA, int offB, boolean f16, float[] xe, float[] xo, int half,
            int vecEnd, int r, float[] y, int yStride, int o) {
        FloatVector a0 = FloatVector.zero(FS);
        FloatVector a1 = FloatVector.zero(FS);
        FloatVector a2 = FloatVector.zero(FS);
        FloatVector a3 = FloatVector.zero(FS);
        FloatVector b0 = FloatVector.zero(FS);
        FloatVector b1 = FloatVector.zero(FS);
        FloatVector b2 = FloatVector.zero(FS);
        FloatVector b3 = FloatVector.zero(FS);
        int x0 = r * half;
        int x1 = x0 + half;
        int x2 = x1 + half;
        int x3 = x2 + half;
        for (int j = 0; j < vecEnd; j += L) {
            IntVector va = IntVector.fromByteBuffer(IS, w, offA + 4 * j, ByteOrder.LITTLE_ENDIAN);
            IntVector vb = IntVector.fromByteBuffer(IS, w, offB + 4 * j, ByteOrder.LITTLE_ENDIAN);
            FloatVector ae = even(va, f16);
            FloatVector ao = odd(va, f16);
            FloatVector be = even(vb, f16);
            FloatVector bo = odd(vb, f16);
            FloatVector e = FloatVector.fromArray(FS, xe, x0 + j);
            FloatVector d = FloatVector.fromArray(FS, xo, x0 + j);
            a0 = ao.fma(d, ae.fma(e, a0));
            b0 = bo.fma(d, be.fma(e, b0));
            e = FloatVector.fromArray(FS, xe, x1 + j);
            d = FloatVector.fromArray(FS, xo, x1 + j);
            a1 = ao.fma(d, ae.fma(e, a1));
            b1 = bo.fma(d, be.fma(e, b1));
            e = FloatVector.fromArray(FS, xe, x2 + j);
            d = FloatVector.fromArray(FS, xo, x2 + j);
            a2 = ao.fma(d, ae.fma(e, a2));
            b2 = bo.fma(d, be.fma(e, b2));
            e = FloatVector.fromArray(FS, xe, x3 + j);
            d = FloatVector.fromArray(FS, xo, x3 + j);
            a3 = ao.fma(d, ae.fma(e, a3));
            b3 = bo.fma(d, be.fma(e, b3));
        }
        y[r * yStride + o] = a0.reduceLanes(VectorOperators.ADD);
        y[(r + 1) * yStride + o] = a1.reduceLanes(VectorOperators.ADD);
        y[(r + 2) * yStride + o] = a2.reduceLanes(VectorOperators.ADD);
        y[(r + 3) * yStride + o] = a3.reduceLanes(VectorOperators.ADD);
        y[r * yStride + o + 1] = b0.reduceLanes(VectorOperators.ADD);
        y[(r + 1) * yStride + o + 1] = b1.reduceLanes(VectorOperators.ADD);
        y[(r + 2) * yStride + o + 1] = b2.reduceLanes(VectorOperators.ADD);
        y[(r + 3) * yStride + o + 1] = b3.reduceLanes(VectorOperators.ADD);
    }

    /** One weight row against one activation row; two vectors per step keep four FMA chains in flight. */
    private static float halfRow1(ByteBuffer w, int off, boolean f16, float[] xe, float[] xo, int half, int vecEnd,
            int r) {
        FloatVector a0 = FloatVector.zero(FS);
        FloatVector a1 = FloatVector.zero(FS);
        FloatVector a2 = FloatVector.zero(FS);
        FloatVector a3 = FloatVector.zero(FS);
        int xr = r * half;
        int j = 0;
        for (; j + 2 * L <= vecEnd; j += 2 * L) {
            IntVector v = IntVector.fromByteBuffer(IS, w, off + 4 * j, ByteOrder.LITTLE_ENDIAN);
            IntVector u = IntVector.fromByteBuffer(IS, w, off + 4 * (j + L), ByteOrder.LITTLE_ENDIAN);
            a0 = even(v, f16).fma(FloatVector.fromArray(FS, xe, xr + j), a0);
            a1 = odd(v, f16).fma(FloatVector.fromArray(FS, xo, xr + j), a1);
            a2 = even(u, f16).fma(FloatVector.fromArray(FS, xe, xr + j + L), a2);
            a3 = odd(u, f16).fma(FloatVector.fromArray(FS, xo, xr + j + L), a3);
        }
        for (; j < vecEnd; j += L) {
            IntVector v = IntVector.fromByteBuffer(IS, w, off + 4 * j, ByteOrder.LITTLE_ENDIAN);
            a0 = even(v, f16).fma(FloatVector.fromArray(FS, xe, xr + j), a0);
            a1 = odd(v, f16).fma(FloatVector.fromArray(FS, xo, xr + j), a1);
        }
        return a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    }

    /** One weight row against four activation rows: the row is decoded once and feeds eight FMA chains. */
    private static void halfRow4(ByteBuffer w, int off, boolean f16, float[] xe, float[] xo, int half, int vecEnd,
            int r, float[] y, int yStride, int o) {
        FloatVector e0 = FloatVector.zero(FS);
        FloatVector e1 = FloatVector.zero(FS);
        FloatVector e2 = FloatVector.zero(FS);
        FloatVector e3 = FloatVector.zero(FS);
        FloatVector d0 = FloatVector.zero(FS);
        FloatVector d1 = FloatVector.zero(FS);
        FloatVector d2 = FloatVector.zero(FS);
        FloatVector d3 = FloatVector.zero(FS);
        int x0 = r * half;
        int x1 = x0 + half;
        int x2 = x1 + half;
        int x3 = x2 + half;
        for (int j = 0; j < vecEnd; j += L) {
            IntVector v = IntVector.fromByteBuffer(IS, w, off + 4 * j, ByteOrder.LITTLE_ENDIAN);
            FloatVector we = even(v, f16);
            FloatVector wo = odd(v, f16);
            e0 = we.fma(FloatVector.fromArray(FS, xe, x0 + j), e0);
            d0 = wo.fma(FloatVector.fromArray(FS, xo, x0 + j), d0);
            e1 = we.fma(FloatVector.fromArray(FS, xe, x1 + j), e1);
            d1 = wo.fma(FloatVector.fromArray(FS, xo, x1 + j), d1);
            e2 = we.fma(FloatVector.fromArray(FS, xe, x2 + j), e2);
            d2 = wo.fma(FloatVector.fromArray(FS, xo, x2 + j), d2);
            e3 = we.fma(FloatVector.fromArray(FS, xe, x3 + j), e3);
            d3 = wo.fma(FloatVector.fromArray(FS, xo, x3 + j), d3);
        }
        y[r * yStride + o] = e0.add(d0).reduceLanes(VectorOperators.ADD);
        y[(r + 1) * yStride + o] = e1.add(d1).reduceLanes(VectorOperators.ADD);
        y[(r + 2) * yStride + o] = e2.add(d2).reduceLanes(VectorOperators.ADD);
        y[(r + 3) * yStride + o] = e3.add(d3).reduceLanes(VectorOperators.ADD);
    }

    @Override
    public void int8(byte[] q, float[] scales, int cols, float[][] xq, float[] x, int n, float[] y, int yStride,
            int o0, int o1) {
        int blocks = (cols + BLOCK - 1) / BLOCK;
        // One int vector covers 4·L bytes = 2 blocks when L = 16 (AVX-512); other widths use the scalar kernel.
        boolean vec = L == 16;
        int vecCols = vec ? cols - cols % (4 * L) : 0;
        int quarter = cols / 4;
        for (int o = o0; o < o1; o++) {
            int row = o * cols;
            int srow = o * blocks;
            int r4 = vecCols == 0 ? 0 : n - n % 4;
            for (int r = 0; r < r4; r += 4) {
                int8Row4(q, scales, row, srow, xq, r, quarter, vecCols, y, yStride, o);
            }
            for (int r = 0; r < n; r++) {
                float acc = r < r4 ? y[r * yStride + o]
                        : vecCols == 0 ? 0f : int8Row(q, scales, row, srow, xq, r * quarter, vecCols);
                for (int b = vecCols / BLOCK; b < blocks; b++) {
                    int c0 = b * BLOCK;
                    int c1 = Math.min(cols, c0 + BLOCK);
                    float s = 0;
                    for (int c = c0; c < c1; c++) {
                        s += q[row + c] * x[r * cols + c];
                    }
                    acc += s * scales[srow + b];
                }
                y[r * yStride + o] = acc;
            }
        }
    }

    /** One weight row against four activation rows: each 64-byte group is widened once and feeds all four. */
    private static void int8Row4(byte[] q, float[] scales, int row, int srow, float[][] xq, int r, int quarter,
            int vecCols, float[] y, int yStride, int o) {
        float[] p0 = xq[0];
        float[] p1 = xq[1];
        float[] p2 = xq[2];
        float[] p3 = xq[3];
        FloatVector acc0 = FloatVector.zero(FS);
        FloatVector acc1 = FloatVector.zero(FS);
        FloatVector acc2 = FloatVector.zero(FS);
        FloatVector acc3 = FloatVector.zero(FS);
        int x0 = r * quarter;
        for (int c = 0; c < vecCols; c += 4 * L) {
            IntVector v = IntVector.fromByteArray(IS, q, row + c, ByteOrder.LITTLE_ENDIAN);
            FloatVector b0 = (FloatVector) v.lanewise(VectorOperators.LSHL, 24).lanewise(VectorOperators.ASHR, 24)
                    .convert(VectorOperators.I2F, 0);
            FloatVector b1 = (FloatVector) v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 24)
                    .convert(VectorOperators.I2F, 0);
            FloatVector b2 = (FloatVector) v.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 24)
                    .convert(VectorOperators.I2F, 0);
            FloatVector b3 = (FloatVector) v.lanewise(VectorOperators.ASHR, 24).convert(VectorOperators.I2F, 0);
            int b = srow + c / BLOCK;
            FloatVector scale = FloatVector.broadcast(FS, scales[b]).blend(scales[b + 1], UPPER);
            int j = x0 + c / 4;
            acc0 = dot4(b0, b1, b2, b3, p0, p1, p2, p3, j).fma(scale, acc0);
            acc1 = dot4(b0, b1, b2, b3, p0, p1, p2, p3, j + quarter).fma(scale, acc1);
            acc2 = dot4(b0, b1, b2, b3, p0, p1, p2, p3, j + 2 * quarter).fma(scale, acc2);
            acc3 = dot4(b0, b1, b2, b3, p0, p1, p2, p3, j + 3 * quarter).fma(scale, acc3);
        }
        y[r * yStride + o] = acc0.reduceLanes(VectorOperators.ADD);
        y[(r + 1) * yStride + o] = acc1.reduceLanes(VectorOperators.ADD);
        y[(r + 2) * yStride + o] = acc2.reduceLanes(VectorOperators.ADD);
        y[(r + 3) * yStride + o] = acc3.reduceLanes(VectorOperators.ADD);
    }

    private static FloatVector dot4(FloatVector b0, FloatVector b1, FloatVector b2, FloatVector b3, float[] p0,
            float[] p1, float[] p2, float[] p3, int j) {
        FloatVector s = b0.mul(FloatVector.fromArray(FS, p0, j));
        s = b1.fma(FloatVector.fromArray(FS, p1, j), s);
        s = b2.fma(FloatVector.fromArray(FS, p2, j), s);
        return b3.fma(FloatVector.fromArray(FS, p3, j), s);
    }

    private static float int8Row(byte[] q, float[] scales, int row, int srow, float[][] xq, int xr, int vecCols) {
        float[] p0 = xq[0];
        float[] p1 = xq[1];
        float[] p2 = xq[2];
        float[] p3 = xq[3];
        FloatVector acc = FloatVector.zero(FS);
        for (int c = 0; c < vecCols; c += 4 * L) {
            IntVector v = IntVector.fromByteArray(IS, q, row + c, ByteOrder.LITTLE_ENDIAN);
            int j = xr + c / 4;
            FloatVector b0 = (FloatVector) v.lanewise(VectorOperators.LSHL, 24).lanewise(VectorOperators.ASHR, 24)
                    .convert(VectorOperators.I2F, 0);
            FloatVector b1 = (FloatVector) v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 24)
                    .convert(VectorOperators.I2F, 0);
            FloatVector b2 = (FloatVector) v.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 24)
                    .convert(VectorOperators.I2F, 0);
            FloatVector b3 = (FloatVector) v.lanewise(VectorOperators.ASHR, 24).convert(VectorOperators.I2F, 0);
            FloatVector s = b0.mul(FloatVector.fromArray(FS, p0, j));
            s = b1.fma(FloatVector.fromArray(FS, p1, j), s);
            s = b2.fma(FloatVector.fromArray(FS, p2, j), s);
            s = b3.fma(FloatVector.fromArray(FS, p3, j), s);
            int b = srow + c / BLOCK; // lanes 0..7 hold block b, lanes 8..15 block b + 1
            FloatVector scale = FloatVector.broadcast(FS, scales[b]).blend(scales[b + 1], UPPER);
            acc = s.fma(scale, acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
