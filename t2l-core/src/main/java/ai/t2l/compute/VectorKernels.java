package ai.t2l.compute;

import ai.t2l.io.Finite;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels (jdk.incubator.vector on Java 17). Shape-changing casts (short → float, byte → float) are slow
 * on JDK 17, so weights are loaded as ints and widened with shifts and masks that keep the vector shape:
 * <ul>
 *   <li>bfloat16 pairs: the even element is {@code i << 16}, the odd one {@code i & 0xFFFF0000}, reinterpreted as
 *       floats (bf16 is the top half of a float32, so this is exact);</li>
 *   <li>float16 pairs: {@code ((h & 0x7FFF) << 13)} read as a float and multiplied by 2^112 rebias the exponent
 *       (exact for normal and subnormal halves; weights are finite), then the sign bit is put back;</li>
 *   <li>int8 quads of 16-row panels: {@link VectorInt8Kernel}.</li>
 * </ul>
 * Measured on this machine (2 cores, AVX-512, JDK 17.0.15, 14336 × 4096 bf16): 12–14 GB/s from a
 * MappedByteBuffer, 14–17 GB/s from a heap int[], against ~2 GB/s for short→float casts; docs/WEIGHTS.md.
 */
final class VectorKernels implements Kernels {
    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final int L = FS.length(); // floats per vector (16 with AVX-512)
    private static final float F16_REBIAS = 0x1p112f;

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

    /** Weight rows per block: four rows share every activation load (see {@link #half}). */
    private static final int ROWS = 4;

    /**
     * Blocks of four weight rows against one, two or four activation rows at a time (register blocking): each
     * activation vector is loaded once per four weight rows and each weight vector is widened once per (up to) four
     * activation rows, so a batch-8 step streams every weight row from memory once and re-reads it from L1 once.
     * Measured paired (2026-12-02, 14336 x 4096 bf16 mapped, 2 threads, docs/WEIGHTS.md): batch 1 13.1 -> 17.0 GB/s
     * against one row at a time; the four-row block was what helped, not unrolling. The four rows of a block lie a
     * quarter of the range apart ({@link RowBlocks}: four long memory streams per thread).
     */
    @Override
    public void half(ByteBuffer w, int base, int cols, boolean f16, float[] xe, float[] xo, float[] x, int n,
            float[] y, int yStride, int o0, int o1) {
        int half = cols / 2;
        int vecEnd = half - half % L; // pairs covered by whole vectors
        int rowBytes = cols * 2;
        // bf16 only: the f16 widening makes the blocked methods too large for C2 to inline the Vector API into
        // (NodeCountInliningCutoff; the vectors are then boxed, 5x slower, seen with -XX:+PrintInlining); f16
        // folders are rare (Hugging Face ships bf16) and take the one-row path below.
        // No helper calls with vector arguments in these methods either: past C2's node budget they are not inlined
        // and the accumulators get boxed (a helper that stored four lane sums cost 5x at batch 8).
        int blocks = f16 ? 0 : (o1 - o0) / ROWS;
        int gap = RowBlocks.gap(blocks);
        int rb = gap * rowBytes;
        for (int b = 0; b < blocks; b++) {
            int o = RowBlocks.first(o0, b, gap);
            int off = (o - base) * rowBytes;
            int r = 0;
            for (; r + 4 <= n; r += 4) {
                half4x4(w, off, rb, xe, xo, r * half, half, vecEnd, y, r * yStride + o, yStride, gap);
            }
            for (; r + 2 <= n; r += 2) {
                half4x2(w, off, rb, xe, xo, r * half, half, vecEnd, y, r * yStride + o, yStride, gap);
            }
            for (; r < n; r++) {
                half4x1(w, off, rb, xe, xo, r * half, vecEnd, y, r * yStride + o, gap);
            }
            for (int k = 0; k < ROWS; k++) {
                halfTail(w, off + k * rb, cols, f16, vecEnd, x, n, y, yStride, o + k * gap);
            }
        }
        for (int o = o0 + ROWS * blocks; o < o1; o++) { // the last rows of the range, one at a time
            int off = (o - base) * rowBytes;
            for (int r = 0; r < n; r++) {
                y[r * yStride + o] = halfRow1(w, off, f16, xe, xo, r * half, vecEnd);
            }
            halfTail(w, off, cols, f16, vecEnd, x, n, y, yStride, o);
        }
    }

    /** L shorts and L bytes: the narrow sides of {@link #widenRow} and {@link #quantizeQ8}. */
    private static final VectorSpecies<Short> SS = VectorSpecies.of(short.class, VectorShape.forBitSize(16 * L));
    private static final VectorSpecies<Byte> QS = VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * L));

    @Override
    public void widenRow(ByteBuffer w, int off, int cols, boolean f16, float[] dst, int at) {
        int vecEnd = f16 ? 0 : cols - cols % L; // f16's widening stays scalar: such folders are rare
        for (int c = 0; c < vecEnd; c += L) {
            ShortVector h = ShortVector.fromByteBuffer(SS, w, off + 2 * c, ByteOrder.LITTLE_ENDIAN);
            // the sign extension of S2I is shifted out: the 16 bits land in the float's high half
            ((IntVector) h.convertShape(VectorOperators.S2I, IS, 0)).lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats().intoArray(dst, at + c);
        }
        for (int c = vecEnd; c < cols; c++) {
            dst[at + c] = ScalarKernels.decode(w.getShort(off + 2 * c), f16);
        }
    }

    /** 1.5 · 2^23: x + this, for |x| < 2^22, is rounded to an integer (ties to even) and holds it in its low bits. */
    private static final float ROUNDING = 0x1.8p23f;
    private static final int ROUNDING_BITS = Float.floatToRawIntBits(ROUNDING);

    /**
     * {@link Kernels#quantizeQ8} a block of 32 values at a time, without a float-to-int conversion (JDK 17 does not
     * compile that one to AVX2 instructions: 4–5 ns a value, measured): max|x| on the bits (|x| orders as its bits do;
     * NaN and infinity come out non-finite), x · (1/d) + 1.5 · 2^23 rounds x to an integer in the float's low bits
     * (ties to even: exact for |x| ≤ 127), a remainder of exactly ½ adds the one that {@link Math#round}'s ties-up
     * rounding wants, and the bits less the constant's are the integer, narrowed to bytes. The scalar code's bytes
     * and scales bit for bit (Int8KernelsTest); 0.5 ns a value against 3–4 for the scalar loop on Zen 3.
     */
    @Override
    public int quantizeQ8(float[] row, int cols, byte[] q, int qOff, float[] scales, int sOff) {
        int whole = cols - cols % BLOCK;
        for (int c0 = 0; c0 < whole; c0 += BLOCK) {
            IntVector amax = IntVector.zero(IS);
            for (int c = c0; c < c0 + BLOCK; c += L) {
                amax = amax.max(FloatVector.fromArray(FS, row, c).reinterpretAsInts().and(0x7FFFFFFF));
            }
            float m = Float.intBitsToFloat(amax.reduceLanes(VectorOperators.MAX));
            if (!Float.isFinite(m)) {
                return Finite.firstNonFinite(row, c0, c0 + BLOCK);
            }
            float d = m / 127f;
            float id = d != 0 ? 1f / d : 0f;
            scales[sOff + c0 / BLOCK] = d;
            for (int c = c0; c < c0 + BLOCK; c += L) {
                FloatVector x = FloatVector.fromArray(FS, row, c).mul(id);
                FloatVector y = x.add(ROUNDING);
                FloatVector half = x.sub(y.sub(ROUNDING));
                y = y.add(ZERO.blend(ONE, half.compare(VectorOperators.EQ, 0.5f)));
                ((ByteVector) y.reinterpretAsInts().sub(ROUNDING_BITS).convertShape(VectorOperators.I2B, QS, 0))
                        .intoArray(q, qOff + c);
            }
        }
        return whole < cols ? ScalarKernels.quantizeBlock(row, whole, cols, q, qOff, scales, sOff + whole / BLOCK) : -1;
    }

    @Override
    public boolean bf16Tiles() {
        return L == 8; // AVX2: the head tile's 256-bit kernel (measured: Bf16Groups)
    }

    /** Adds the columns past the whole vectors (from pair vecEnd on) of weight row o to every activation row. */
    private static void halfTail(ByteBuffer w, int off, int cols, boolean f16, int vecEnd, float[] x, int n, float[] y,
            int yStride, int o) {
        if (2 * vecEnd == cols) {
            return;
        }
        for (int r = 0; r < n; r++) {
            float t = 0;
            for (int c = 2 * vecEnd; c < cols; c++) {
                t += ScalarKernels.decode(w.getShort(off + 2 * c), f16) * x[r * cols + c];
            }
            y[r * yStride + o] += t;
        }
    }

    /**
     * Weight rows at off, off + rb, off + 2rb, off + 3rb against activation row xr: four FMA chains; the sums go to
     * y[yi], y[yi + gap], y[yi + 2gap], y[yi + 3gap] (gap: the rows between them, {@link RowBlocks}).
     */
    private static void half4x1(ByteBuffer w, int off, int rb, float[] xe, float[] xo, int xr,
            int vecEnd, float[] y, int yi, int gap) {
        FloatVector a0 = FloatVector.zero(FS);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int off1 = off + rb;
        int off2 = off1 + rb;
        int off3 = off2 + rb;
        for (int j = 0; j < vecEnd; j += L) {
            FloatVector e = FloatVector.fromArray(FS, xe, xr + j);
            FloatVector d = FloatVector.fromArray(FS, xo, xr + j);
            IntVector v0 = IntVector.fromByteBuffer(IS, w, off + 4 * j, ByteOrder.LITTLE_ENDIAN);
            IntVector v1 = IntVector.fromByteBuffer(IS, w, off1 + 4 * j, ByteOrder.LITTLE_ENDIAN);
            IntVector v2 = IntVector.fromByteBuffer(IS, w, off2 + 4 * j, ByteOrder.LITTLE_ENDIAN);
            IntVector v3 = IntVector.fromByteBuffer(IS, w, off3 + 4 * j, ByteOrder.LITTLE_ENDIAN);
            a0 = v0.and(0xFFFF0000).reinterpretAsFloats().fma(d, v0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(e, a0));
            a1 = v1.and(0xFFFF0000).reinterpretAsFloats().fma(d, v1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(e, a1));
            a2 = v2.and(0xFFFF0000).reinterpretAsFloats().fma(d, v2.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(e, a2));
            a3 = v3.and(0xFFFF0000).reinterpretAsFloats().fma(d, v3.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(e, a3));
        }
        y[yi] = a0.reduceLanes(VectorOperators.ADD);
        y[yi + gap] = a1.reduceLanes(VectorOperators.ADD);
        y[yi + 2 * gap] = a2.reduceLanes(VectorOperators.ADD);
        y[yi + 3 * gap] = a3.reduceLanes(VectorOperators.ADD);
    }

    /** Four weight rows against activation rows at xr and xr + half: each weight vector widened once for both. */
    private static void half4x2(ByteBuffer w, int off, int rb, float[] xe, float[] xo, int xr, int half,
            int vecEnd, float[] y, int yi, int yStride, int gap) {
        FloatVector a0 = FloatVector.zero(FS);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector b0 = a0;
        FloatVector b1 = a0;
        FloatVector b2 = a0;
        FloatVector b3 = a0;
        int off1 = off + rb;
        int off2 = off1 + rb;
        int off3 = off2 + rb;
        int xs = xr + half;
        for (int j = 0; j < vecEnd; j += L) {
            IntVector v0 = IntVector.fromByteBuffer(IS, w, off + 4 * j, ByteOrder.LITTLE_ENDIAN);
            IntVector v1 = IntVector.fromByteBuffer(IS, w, off1 + 4 * j, ByteOrder.LITTLE_ENDIAN);
            IntVector v2 = IntVector.fromByteBuffer(IS, w, off2 + 4 * j, ByteOrder.LITTLE_ENDIAN);
            IntVector v3 = IntVector.fromByteBuffer(IS, w, off3 + 4 * j, ByteOrder.LITTLE_ENDIAN);
            FloatVector e0 = v0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector d0 = v0.and(0xFFFF0000).reinterpretAsFloats();
            FloatVector e1 = v1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector d1 = v1.and(0xFFFF0000).reinterpretAsFloats();
            FloatVector e2 = v2.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector d2 = v2.and(0xFFFF0000).reinterpretAsFloats();
            FloatVector e3 = v3.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector d3 = v3.and(0xFFFF0000).reinterpretAsFloats();
            FloatVector e = FloatVector.fromArray(FS, xe, xr + j);
            FloatVector d = FloatVector.fromArray(FS, xo, xr + j);
            a0 = d0.fma(d, e0.fma(e, a0));
            a1 = d1.fma(d, e1.fma(e, a1));
            a2 = d2.fma(d, e2.fma(e, a2));
            a3 = d3.fma(d, e3.fma(e, a3));
            e = FloatVector.fromArray(FS, xe, xs + j);
            d = FloatVector.fromArray(FS, xo, xs + j);
            b0 = d0.fma(d, e0.fma(e, b0));
            b1 = d1.fma(d, e1.fma(e, b1));
            b2 = d2.fma(d, e2.fma(e, b2));
            b3 = d3.fma(d, e3.fma(e, b3));
        }
        y[yi] = a0.reduceLanes(VectorOperators.ADD);
        y[yi + gap] = a1.reduceLanes(VectorOperators.ADD);
        y[yi + 2 * gap] = a2.reduceLanes(VectorOperators.ADD);
        y[yi + 3 * gap] = a3.reduceLanes(VectorOperators.ADD);
        y[yi + yStride] = b0.reduceLanes(VectorOperators.ADD);
        y[yi + yStride + gap] = b1.reduceLanes(VectorOperators.ADD);
        y[yi + yStride + 2 * gap] = b2.reduceLanes(VectorOperators.ADD);
        y[yi + yStride + 3 * gap] = b3.reduceLanes(VectorOperators.ADD);
    }

    /** Four weight rows against four activation rows: sixteen accumulators, each weight vector widened once. */
    private static void half4x4(ByteBuffer w, int off, int rb, float[] xe, float[] xo, int xr, int half,
            int vecEnd, float[] y, int yi, int yStride, int gap) {
        FloatVector a0 = FloatVector.zero(FS);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector b0 = a0;
        FloatVector b1 = a0;
        FloatVector b2 = a0;
        FloatVector b3 = a0;
        FloatVector c0 = a0;
        FloatVector c1 = a0;
        FloatVector c2 = a0;
        FloatVector c3 = a0;
        FloatVector f0 = a0;
        FloatVector f1 = a0;
        FloatVector f2 = a0;
        FloatVector f3 = a0;
        int off1 = off + rb;
        int off2 = off1 + rb;
        int off3 = off2 + rb;
        int xs = xr + half;
        int xt = xs + half;
        int xu = xt + half;
        for (int j = 0; j < vecEnd; j += L) {
            IntVector v0 = IntVector.fromByteBuffer(IS, w, off + 4 * j, ByteOrder.LITTLE_ENDIAN);
            IntVector v1 = IntVector.fromByteBuffer(IS, w, off1 + 4 * j, ByteOrder.LITTLE_ENDIAN);
            IntVector v2 = IntVector.fromByteBuffer(IS, w, off2 + 4 * j, ByteOrder.LITTLE_ENDIAN);
            IntVector v3 = IntVector.fromByteBuffer(IS, w, off3 + 4 * j, ByteOrder.LITTLE_ENDIAN);
            FloatVector e0 = v0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector d0 = v0.and(0xFFFF0000).reinterpretAsFloats();
            FloatVector e1 = v1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector d1 = v1.and(0xFFFF0000).reinterpretAsFloats();
            FloatVector e2 = v2.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector d2 = v2.and(0xFFFF0000).reinterpretAsFloats();
            FloatVector e3 = v3.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector d3 = v3.and(0xFFFF0000).reinterpretAsFloats();
            FloatVector e = FloatVector.fromArray(FS, xe, xr + j);
            FloatVector d = FloatVector.fromArray(FS, xo, xr + j);
            a0 = d0.fma(d, e0.fma(e, a0));
            a1 = d1.fma(d, e1.fma(e, a1));
            a2 = d2.fma(d, e2.fma(e, a2));
            a3 = d3.fma(d, e3.fma(e, a3));
            e = FloatVector.fromArray(FS, xe, xs + j);
            d = FloatVector.fromArray(FS, xo, xs + j);
            b0 = d0.fma(d, e0.fma(e, b0));
            b1 = d1.fma(d, e1.fma(e, b1));
            b2 = d2.fma(d, e2.fma(e, b2));
            b3 = d3.fma(d, e3.fma(e, b3));
            e = FloatVector.fromArray(FS, xe, xt + j);
            d = FloatVector.fromArray(FS, xo, xt + j);
            c0 = d0.fma(d, e0.fma(e, c0));
            c1 = d1.fma(d, e1.fma(e, c1));
            c2 = d2.fma(d, e2.fma(e, c2));
            c3 = d3.fma(d, e3.fma(e, c3));
            e = FloatVector.fromArray(FS, xe, xu + j);
            d = FloatVector.fromArray(FS, xo, xu + j);
            f0 = d0.fma(d, e0.fma(e, f0));
            f1 = d1.fma(d, e1.fma(e, f1));
            f2 = d2.fma(d, e2.fma(e, f2));
            f3 = d3.fma(d, e3.fma(e, f3));
        }
        y[yi] = a0.reduceLanes(VectorOperators.ADD);
        y[yi + gap] = a1.reduceLanes(VectorOperators.ADD);
        y[yi + 2 * gap] = a2.reduceLanes(VectorOperators.ADD);
        y[yi + 3 * gap] = a3.reduceLanes(VectorOperators.ADD);
        y[yi + yStride] = b0.reduceLanes(VectorOperators.ADD);
        y[yi + yStride + gap] = b1.reduceLanes(VectorOperators.ADD);
        y[yi + yStride + 2 * gap] = b2.reduceLanes(VectorOperators.ADD);
        y[yi + yStride + 3 * gap] = b3.reduceLanes(VectorOperators.ADD);
        y[yi + 2 * yStride] = c0.reduceLanes(VectorOperators.ADD);
        y[yi + 2 * yStride + gap] = c1.reduceLanes(VectorOperators.ADD);
        y[yi + 2 * yStride + 2 * gap] = c2.reduceLanes(VectorOperators.ADD);
        y[yi + 2 * yStride + 3 * gap] = c3.reduceLanes(VectorOperators.ADD);
        y[yi + 3 * yStride] = f0.reduceLanes(VectorOperators.ADD);
        y[yi + 3 * yStride + gap] = f1.reduceLanes(VectorOperators.ADD);
        y[yi + 3 * yStride + 2 * gap] = f2.reduceLanes(VectorOperators.ADD);
        y[yi + 3 * yStride + 3 * gap] = f3.reduceLanes(VectorOperators.ADD);
    }

    /** One weight row against one activation row (the rows left over after the blocks of four). */
    private static float halfRow1(ByteBuffer w, int off, boolean f16, float[] xe, float[] xo, int xr, int vecEnd) {
        FloatVector a0 = FloatVector.zero(FS);
        FloatVector a1 = FloatVector.zero(FS);
        for (int j = 0; j < vecEnd; j += L) {
            IntVector v = IntVector.fromByteBuffer(IS, w, off + 4 * j, ByteOrder.LITTLE_ENDIAN);
            a0 = even(v, f16).fma(FloatVector.fromArray(FS, xe, xr + j), a0);
            a1 = odd(v, f16).fma(FloatVector.fromArray(FS, xo, xr + j), a1);
        }
        return a0.add(a1).reduceLanes(VectorOperators.ADD);
    }

    private static final boolean INT8_256 = VectorInt8Kernel256.runsHere();

    /**
     * The panel kernels of {@link VectorInt8Kernel} with 512-bit vectors, of {@link VectorInt8Kernel256} with 256-bit
     * ones (AVX2); other widths take the plain loops.
     */
    @Override
    public void int8(byte[] q, float[] scales, int quads, float[] x, int n, float[] y, int yStride, int yOff, int p0,
            int p1) {
        if (L == 16) {
            VectorInt8Kernel.product(q, scales, quads, x, n, y, yStride, yOff, p0, p1);
        } else if (L == 8 && INT8_256) {
            VectorInt8Kernel256.product(q, scales, quads, x, n, y, yStride, yOff, p0, p1);
        } else {
            SCALAR.int8(q, scales, quads, x, n, y, yStride, yOff, p0, p1);
        }
    }

    /**
     * Four float rows (w at wo, wo + len, wo + 2len, wo + 3len) against activation rows at xr .. xr + 3len, their
     * first vl values (a multiple of L): sixteen accumulators.
     */
    private static void f32x4x4(float[] w, int wo, int len, int vl, float[] xc, int xr, float[] y, int yi,
            int yStride, boolean add) {
        FloatVector a0 = FloatVector.zero(FS);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector b0 = a0;
        FloatVector b1 = a0;
        FloatVector b2 = a0;
        FloatVector b3 = a0;
        FloatVector c0 = a0;
        FloatVector c1 = a0;
        FloatVector c2 = a0;
        FloatVector c3 = a0;
        FloatVector f0 = a0;
        FloatVector f1 = a0;
        FloatVector f2 = a0;
        FloatVector f3 = a0;
        int xs = xr + len;
        int xt = xs + len;
        int xu = xt + len;
        for (int j = 0; j < vl; j += L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, wo + j);
            FloatVector w1 = FloatVector.fromArray(FS, w, wo + len + j);
            FloatVector w2 = FloatVector.fromArray(FS, w, wo + 2 * len + j);
            FloatVector w3 = FloatVector.fromArray(FS, w, wo + 3 * len + j);
            FloatVector e = FloatVector.fromArray(FS, xc, xr + j);
            a0 = w0.fma(e, a0);
            a1 = w1.fma(e, a1);
            a2 = w2.fma(e, a2);
            a3 = w3.fma(e, a3);
            e = FloatVector.fromArray(FS, xc, xs + j);
            b0 = w0.fma(e, b0);
            b1 = w1.fma(e, b1);
            b2 = w2.fma(e, b2);
            b3 = w3.fma(e, b3);
            e = FloatVector.fromArray(FS, xc, xt + j);
            c0 = w0.fma(e, c0);
            c1 = w1.fma(e, c1);
            c2 = w2.fma(e, c2);
            c3 = w3.fma(e, c3);
            e = FloatVector.fromArray(FS, xc, xu + j);
            f0 = w0.fma(e, f0);
            f1 = w1.fma(e, f1);
            f2 = w2.fma(e, f2);
            f3 = w3.fma(e, f3);
        }
        y[yi] = (add ? y[yi] : 0f) + a0.reduceLanes(VectorOperators.ADD);
        y[yi + 1] = (add ? y[yi + 1] : 0f) + a1.reduceLanes(VectorOperators.ADD);
        y[yi + 2] = (add ? y[yi + 2] : 0f) + a2.reduceLanes(VectorOperators.ADD);
        y[yi + 3] = (add ? y[yi + 3] : 0f) + a3.reduceLanes(VectorOperators.ADD);
        y[yi + yStride] = (add ? y[yi + yStride] : 0f) + b0.reduceLanes(VectorOperators.ADD);
        y[yi + yStride + 1] = (add ? y[yi + yStride + 1] : 0f) + b1.reduceLanes(VectorOperators.ADD);
        y[yi + yStride + 2] = (add ? y[yi + yStride + 2] : 0f) + b2.reduceLanes(VectorOperators.ADD);
        y[yi + yStride + 3] = (add ? y[yi + yStride + 3] : 0f) + b3.reduceLanes(VectorOperators.ADD);
        y[yi + 2 * yStride] = (add ? y[yi + 2 * yStride] : 0f) + c0.reduceLanes(VectorOperators.ADD);
        y[yi + 2 * yStride + 1] = (add ? y[yi + 2 * yStride + 1] : 0f) + c1.reduceLanes(VectorOperators.ADD);
        y[yi + 2 * yStride + 2] = (add ? y[yi + 2 * yStride + 2] : 0f) + c2.reduceLanes(VectorOperators.ADD);
        y[yi + 2 * yStride + 3] = (add ? y[yi + 2 * yStride + 3] : 0f) + c3.reduceLanes(VectorOperators.ADD);
        y[yi + 3 * yStride] = (add ? y[yi + 3 * yStride] : 0f) + f0.reduceLanes(VectorOperators.ADD);
        y[yi + 3 * yStride + 1] = (add ? y[yi + 3 * yStride + 1] : 0f) + f1.reduceLanes(VectorOperators.ADD);
        y[yi + 3 * yStride + 2] = (add ? y[yi + 3 * yStride + 2] : 0f) + f2.reduceLanes(VectorOperators.ADD);
        y[yi + 3 * yStride + 3] = (add ? y[yi + 3 * yStride + 3] : 0f) + f3.reduceLanes(VectorOperators.ADD);
    }

    /** Four float rows against one activation row (the first vl values). */
    private static void f32x4x1(float[] w, int wo, int len, int vl, float[] xc, int xr, float[] y, int yi,
            boolean add) {
        FloatVector a0 = FloatVector.zero(FS);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int j = 0; j < vl; j += L) {
            FloatVector e = FloatVector.fromArray(FS, xc, xr + j);
            a0 = FloatVector.fromArray(FS, w, wo + j).fma(e, a0);
            a1 = FloatVector.fromArray(FS, w, wo + len + j).fma(e, a1);
            a2 = FloatVector.fromArray(FS, w, wo + 2 * len + j).fma(e, a2);
            a3 = FloatVector.fromArray(FS, w, wo + 3 * len + j).fma(e, a3);
        }
        y[yi] = (add ? y[yi] : 0f) + a0.reduceLanes(VectorOperators.ADD);
        y[yi + 1] = (add ? y[yi + 1] : 0f) + a1.reduceLanes(VectorOperators.ADD);
        y[yi + 2] = (add ? y[yi + 2] : 0f) + a2.reduceLanes(VectorOperators.ADD);
        y[yi + 3] = (add ? y[yi + 3] : 0f) + a3.reduceLanes(VectorOperators.ADD);
    }

    /**
     * bf16 pairs widened with one shift and one and per 32 values, stored as they come out (even values in the first
     * half, odd in the second: {@link PanelOrder} pair order), so no shuffle is needed.
     */
    @Override
    public void widenHalf(ByteBuffer w, int off, int cols, boolean f16, float[] dst, int at) {
        int half = cols / 2;
        int vecEnd = half - half % L;
        int odd = at + half;
        if (f16) {
            for (int j = 0; j < vecEnd; j += L) {
                IntVector v = IntVector.fromByteBuffer(IS, w, off + 4 * j, ByteOrder.LITTLE_ENDIAN);
                even(v, true).intoArray(dst, at + j);
                odd(v, true).intoArray(dst, odd + j);
            }
        } else {
            for (int j = 0; j < vecEnd; j += L) {
                IntVector v = IntVector.fromByteBuffer(IS, w, off + 4 * j, ByteOrder.LITTLE_ENDIAN);
                v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, at + j);
                v.and(0xFFFF0000).reinterpretAsFloats().intoArray(dst, odd + j);
            }
        }
        for (int j = vecEnd; j < half; j++) {
            dst[at + j] = ScalarKernels.decode(w.getShort(off + 4 * j), f16);
            dst[odd + j] = ScalarKernels.decode(w.getShort(off + 4 * j + 2), f16);
        }
        if ((cols & 1) != 0) {
            dst[at + cols - 1] = ScalarKernels.decode(w.getShort(off + 2 * (cols - 1)), f16);
        }
    }

    /**
     * Register-blocked float32 product of a widened panel with every activation row: blocks of four activation rows
     * (outer, so a block stays in L1 while the panel, in L2, passes under it) times four weight rows, sixteen
     * accumulators; then the rows and columns left over.
     */
    @Override
    public void panel(float[] w, int m, int len, float[] x, int xOff, int n, float[] y, int yStride, int o) {
        int vl = len - len % L;
        int m4 = m - m % 4;
        int r = 0;
        for (; r + 4 <= n; r += 4) {
            for (int k = 0; k < m4; k += 4) {
                f32x4x4(w, k * len, len, vl, x, xOff + r * len, y, r * yStride + o + k, yStride, true);
            }
        }
        for (; r < n; r++) {
            for (int k = 0; k < m4; k += 4) {
                f32x4x1(w, k * len, len, vl, x, xOff + r * len, y, r * yStride + o + k, true);
            }
        }
        for (int k = m4; k < m; k++) {
            for (r = 0; r < n; r++) {
                y[r * yStride + o + k] += f32Dot(w, k * len, x, xOff + r * len, vl);
            }
        }
        if (vl < len) {
            for (r = 0; r < n; r++) {
                for (int k = 0; k < m; k++) {
                    float t = 0;
                    for (int j = vl; j < len; j++) {
                        t += w[k * len + j] * x[xOff + r * len + j];
                    }
                    y[r * yStride + o + k] += t;
                }
            }
        }
    }

    private static float f32Dot(float[] w, int wo, float[] x, int xo, int vl) {
        FloatVector a = FloatVector.zero(FS);
        for (int j = 0; j < vl; j += L) {
            a = FloatVector.fromArray(FS, w, wo + j).fma(FloatVector.fromArray(FS, x, xo + j), a);
        }
        return a.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Two 16-bit values per int lane: a value is NaN or infinite when all its exponent bits are set. A 64-byte group
     * costs two ands, two compares and a mask test; the first bad group is located by the scalar loop.
     */
    @Override
    public int firstNonFiniteHalf(ByteBuffer w, int from, int to, boolean f16) {
        int lo = f16 ? 0x7C00 : 0x7F80;
        int hi = lo << 16;
        int step = 4 * L;
        int at = from;
        for (; at + step <= to; at += step) {
            IntVector v = IntVector.fromByteBuffer(IS, w, at, ByteOrder.LITTLE_ENDIAN);
            if (v.and(lo).compare(VectorOperators.EQ, lo).or(v.and(hi).compare(VectorOperators.EQ, hi)).anyTrue()) {
                break;
            }
        }
        return SCALAR.firstNonFiniteHalf(w, at, to, f16);
    }

    /**
     * x − x is 0 for a finite value and NaN otherwise, and NaN survives any sum: one subtraction and one addition per
     * vector, no compare in the loop; each group of {@link #SCAN_GROUP} values is tested once, and the scalar loop
     * finds the first bad value in the group that has one.
     */
    @Override
    public int firstNonFinite(float[] x, int from, int to) {
        int at = from;
        for (; at + SCAN_GROUP <= to; at += SCAN_GROUP) {
            FloatVector acc = FloatVector.zero(FS);
            for (int i = at; i < at + SCAN_GROUP; i += L) {
                FloatVector v = FloatVector.fromArray(FS, x, i);
                acc = acc.add(v.sub(v));
            }
            if (acc.reduceLanes(VectorOperators.ADD) != 0f) {
                break;
            }
        }
        return SCALAR.firstNonFinite(x, at, to);
    }

    private static final int SCAN_GROUP = 256;

    private static final FloatVector ONE = FloatVector.broadcast(FS, 1f);
    private static final FloatVector ZERO = FloatVector.zero(FS);

    /**
     * x·(1 / (1 + e^−x)) with {@link Exp}'s exponential, operation for operation, so the plain-Java kernel gives the
     * same bits (the Vector API's EXP gave other values once compiled than interpreted). About as fast as the JIT's
     * SVML routine was (0.07 ms for 262,144 values, against 1.2 ms with Math.exp).
     */
    @Override
    public void silu(ByteBuffer b, int from, int to) {
        if (to - from < SILU_VECTOR_MIN) {
            SCALAR.silu(b, from, to);
            return;
        }
        ByteOrder order = b.order();
        int at = from;
        for (; at + L <= to; at += L) {
            FloatVector v = FloatVector.fromByteBuffer(FS, b, 4 * at, order);
            silu(v).intoByteBuffer(b, 4 * at, order);
        }
        SCALAR.silu(b, at, to);
    }

    @Override
    public void silu(float[] a, int from, int to) {
        silu(a, from, to, to - from);
    }

    @Override
    public void silu(float[] a, int from, int to, long whole) {
        if (whole < SILU_VECTOR_MIN) {
            SCALAR.silu(a, from, to);
            return;
        }
        int at = from;
        for (; at + L <= to; at += L) {
            silu(FloatVector.fromArray(FS, a, at)).intoArray(a, at);
        }
        SCALAR.silu(a, at, to);
    }

    /** x · (1 / (1 + e^(−x))) on 16 lanes, as the plain loop rounds it. */
    private static FloatVector silu(FloatVector v) {
        return v.mul(ONE.div(exp(v.neg()).add(1f)));
    }

    @Override
    public void geluTanh(ByteBuffer b, int from, int to) {
        if (to - from < SILU_VECTOR_MIN) {
            SCALAR.geluTanh(b, from, to);
            return;
        }
        ByteOrder order = b.order();
        int at = from;
        for (; at + L <= to; at += L) {
            FloatVector x = FloatVector.fromByteBuffer(FS, b, 4 * at, order);
            FloatVector u2 = x.mul(x).mul(x).mul(ScalarKernels.GELU_KAPPA).add(x).mul(ScalarKernels.GELU_TWO_BETA);
            x.mul(ONE.div(exp(u2.neg()).add(1f))).intoByteBuffer(b, 4 * at, order);
        }
        SCALAR.geluTanh(b, at, to);
    }

    @Override
    public void softcap(ByteBuffer b, int from, int to, float cap, long whole) {
        if (whole < SILU_VECTOR_MIN) {
            SCALAR.softcap(b, from, to, cap, whole);
            return;
        }
        ByteOrder order = b.order();
        float twoCap = 2f * cap;
        float slope = -2f / cap;
        int at = from;
        for (; at + L <= to; at += L) {
            FloatVector x = FloatVector.fromByteBuffer(FS, b, 4 * at, order);
            FloatVector.broadcast(FS, twoCap).div(exp(x.mul(slope)).add(1f)).sub(cap).intoByteBuffer(b, 4 * at, order);
        }
        SCALAR.softcap(b, at, to, cap, whole);
    }

    /**
     * Below this many values SiLU, GELU and soft-capping run the plain loop (the same bits): until C2 has compiled the
     * vector form, the interpreter runs each of its ~20 vector operations as an allocation and a lane loop, and the
     * first generations of a fresh JVM took 227, 74 and 46 ms in the trunk against 90, 16 and 10 with the JIT's EXP
     * (scratch `FirstCall`, L); the plain loop is compiled within its first call. Decode (one row of 1–14k values)
     * and the L and M trunks (64–128 rows of 512, two modules stacked) stay below it; S's trunk and prefill (≥ 256k
     * values) are above, and so are Gemma 2's logits (256,000 a row).
     */
    static final int SILU_VECTOR_MIN = 1 << 17;

    /** {@link Exp#exp} on 16 lanes: the same operations in the same order; lanes out of range as there. */
    static FloatVector exp(FloatVector in) {
        FloatVector x = in.max(Exp.LO).min(Exp.HI); // NaN stays NaN, as in the plain version
        FloatVector t = x.mul(Exp.LOG2E).add(Exp.ROUND);
        FloatVector n = t.sub(Exp.ROUND);
        FloatVector r = x.sub(n.mul(Exp.C1));
        r = r.sub(n.mul(Exp.C2));
        FloatVector p = r.mul(Exp.P0).add(Exp.P1);
        p = p.mul(r).add(Exp.P2);
        p = p.mul(r).add(Exp.P3);
        p = p.mul(r).add(Exp.P4);
        p = p.mul(r).add(Exp.P5);
        FloatVector y = p.mul(r.mul(r)).add(r).add(1f);
        IntVector e = t.reinterpretAsInts().sub(Exp.ROUND_BITS - 127).lanewise(VectorOperators.LSHL, 23);
        return y.mul(e.reinterpretAsFloats()).blend(0f, in.compare(VectorOperators.LT, Exp.LO))
                .blend(Float.POSITIVE_INFINITY, in.compare(VectorOperators.GT, Exp.HI));
    }

    @Override
    public void softmaxStats(ByteBuffer x, int from, int to, float[] stats) {
        ByteOrder order = x.order();
        int end = from + (to - from) / L * L;
        FloatVector mv = FloatVector.broadcast(FS, Float.NEGATIVE_INFINITY);
        for (int at = from; at < end; at += L) {
            mv = mv.max(FloatVector.fromByteBuffer(FS, x, 4 * at, order));
        }
        stats[0] = mv.reduceLanes(VectorOperators.MAX);
        ScalarKernels.maxInto(x, end, to, stats);
        float max = stats[0];
        FloatVector se = FloatVector.zero(FS);
        FloatVector sx = FloatVector.zero(FS);
        for (int at = from; at < end; at += L) {
            FloatVector v = FloatVector.fromByteBuffer(FS, x, 4 * at, order);
            se = se.add(exp(v.sub(max)));
            sx = sx.add(v);
        }
        stats[1] = se.reduceLanes(VectorOperators.ADD);
        stats[2] = sx.reduceLanes(VectorOperators.ADD);
        ScalarKernels.sumsInto(x, end, to, stats);
    }

    @Override
    public void scaledExp(ByteBuffer x, ByteBuffer out, int from, int to, float shift, float scale, float minus) {
        ByteOrder order = x.order();
        int at = from;
        for (; at + L <= to; at += L) {
            exp(FloatVector.fromByteBuffer(FS, x, 4 * at, order).sub(shift)).mul(scale).sub(minus)
                    .intoByteBuffer(out, 4 * at, out.order());
        }
        SCALAR.scaledExp(x, out, at, to, shift, scale, minus);
    }

    @Override
    public void l1Sign(ByteBuffer p, ByteBuffer out, int at, float[] t, int tOff, int from, int n, float scale,
            float[] acc) {
        int i = from;
        for (; i + L <= n; i += L) {
            FloatVector d = FloatVector.fromByteBuffer(FS, p, 4 * (at + i), p.order())
                    .sub(FloatVector.fromArray(FS, t, tOff + i));
            FloatVector.fromArray(FS, acc, i).add(d.abs()).intoArray(acc, i);
            IntVector bits = d.reinterpretAsInts(); // L1Sign.sgn: ±1 with d's sign, +0 where d is ±0
            IntVector sgn = bits.and(0x80000000).or(0x3f800000).blend(0, bits.and(0x7fffffff).eq(0));
            sgn.reinterpretAsFloats().mul(scale).intoByteBuffer(out, 4 * (at + i), out.order());
        }
        SCALAR.l1Sign(p, out, at, t, tOff, i, n, scale, acc);
    }

    @Override
    public void adamW(ByteBuffer p, ByteBuffer g, ByteBuffer m, ByteBuffer v, int from, int to, AdamWStep s) {
        ByteOrder order = p.order();
        int at = from;
        for (; at + L <= to; at += L) {
            int off = 4 * at;
            FloatVector gi = FloatVector.fromByteBuffer(FS, g, off, order).mul(s.gradScale());
            FloatVector mi = FloatVector.fromByteBuffer(FS, m, off, order);
            mi = mi.add(gi.sub(mi).mul(s.oneMinusB1()));
            FloatVector vi = FloatVector.fromByteBuffer(FS, v, off, order).mul(s.b2())
                    .add(gi.mul(gi).mul(s.oneMinusB2()));
            mi.intoByteBuffer(m, off, order);
            vi.intoByteBuffer(v, off, order);
            FloatVector denom = vi.lanewise(VectorOperators.SQRT).div(s.bc2()).add(s.eps());
            FloatVector.fromByteBuffer(FS, p, off, order).mul(s.decay()).add(mi.div(denom).mul(s.negStep()))
                    .intoByteBuffer(p, off, order);
        }
        SCALAR.adamW(p, g, m, v, at, to, s);
    }

    private static final ScalarKernels SCALAR = new ScalarKernels();
}
