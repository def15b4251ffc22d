package ai.t2l.compute;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link F32Kernel} with the Java Vector API (jdk.incubator.vector on Java 17): blocks of four weight rows against
 * four, two or one activation rows, so each weight vector is loaded from memory once per four activation rows and
 * each activation vector (from L1) once per four weight rows; one FMA chain per (weight row, activation row), summed
 * across lanes at the end. The same blocking as {@link VectorKernels#half} for bf16 (a block's rows a quarter of the
 * range apart, {@link RowBlocks}), without the widening. The block
 * methods are written out by hand and call no helpers with vector arguments: past C2's inlining budget the
 * accumulators would be boxed (VectorKernels, measured 5x slower).
 */
final class VectorF32Kernel implements F32Kernel {
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final int L = FS.length(); // floats per vector (16 with AVX-512)
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /**
     * With 256-bit vectors (AVX2: 16 registers) four activation rows take a block's weight rows two at a time:
     * {@link #f4x4}'s sixteen accumulators plus its operands do not fit, and C2 spills. §2's decode products at 8 rows
     * took 21.1–22.1 against 22.6–24.0 ms per step (10th percentile, alternating in one JVM, AMD EPYC, BENCHMARKS.md
     * issue 16, twenty-first session). The same chains in the same order, so the same bits; each weight vector is
     * still loaded once per four activation rows, the activations (from L1) twice. With 512-bit vectors (32
     * registers) the sixteen fit.
     */
    private final boolean halfBlocks;

    VectorF32Kernel() {
        this(L < 16);
    }

    /** @param halfBlocks four activation rows against two weight rows at a time (tests run both forms) */
    VectorF32Kernel(boolean halfBlocks) {
        if (FS.vectorBitSize() < 256) {
            throw new IllegalStateException("vectors of " + FS.vectorBitSize() + " bits: the engine is faster");
        }
        this.halfBlocks = halfBlocks;
    }

    @Override
    public void rows(ByteBuffer w, int cols, float[] x, int n, float[] y, int yStride, int o0, int o1) {
        int vecEnd = cols - cols % L;
        int rb = cols * 4;
        int blocks = (o1 - o0) / 4;
        int gap = RowBlocks.gap(blocks);
        int spaced = gap * rb;
        for (int b = 0; b < blocks; b++) {
            int o = RowBlocks.first(o0, b, gap);
            int off = o * rb;
            int r = 0;
            for (; r + 4 <= n; r += 4) {
                if (halfBlocks) {
                    f2x4(w, off, spaced, x, r * cols, cols, vecEnd, y, r * yStride + o, yStride, gap);
                    f2x4(w, off + 2 * spaced, spaced, x, r * cols, cols, vecEnd, y, r * yStride + o + 2 * gap,
                            yStride, gap);
                } else {
                    f4x4(w, off, spaced, x, r * cols, cols, vecEnd, y, r * yStride + o, yStride, gap);
                }
            }
            for (; r + 2 <= n; r += 2) {
                f4x2(w, off, spaced, x, r * cols, cols, vecEnd, y, r * yStride + o, yStride, gap);
            }
            for (; r < n; r++) {
                f4x1(w, off, spaced, x, r * cols, cols, vecEnd, y, r * yStride + o, gap);
            }
            for (int k = 0; k < 4; k++) {
                tail(w, off + k * spaced, cols, vecEnd, x, n, y, yStride, o + k * gap);
            }
        }
        for (int o = o0 + 4 * blocks; o < o1; o++) { // the last rows of the range, one at a time
            int off = o * rb;
            for (int r = 0; r < n; r++) {
                FloatVector a = FloatVector.zero(FS);
                for (int j = 0; j < vecEnd; j += L) {
                    a = FloatVector.fromByteBuffer(FS, w, off + 4 * j, NATIVE).fma(FloatVector.fromArray(FS, x,
                            r * cols + j), a);
                }
                y[r * yStride + o] = a.reduceLanes(VectorOperators.ADD);
            }
            tail(w, off, cols, vecEnd, x, n, y, yStride, o);
        }
    }

    /** Adds the columns past the whole vectors of the weight row at byte off to every activation row. */
    private static void tail(ByteBuffer w, int off, int cols, int vecEnd, float[] x, int n, float[] y, int yStride,
            int o) {
        if (vecEnd == cols) {
            return;
        }
        for (int r = 0; r < n; r++) {
            float t = 0f;
            for (int c = vecEnd; c < cols; c++) {
                t = Math.fma(w.getFloat(off + 4 * c), x[r * cols + c], t);
            }
            y[r * yStride + o] += t;
        }
    }

    /** Four weight rows against four activation rows: sixteen accumulators, each weight vector loaded once. */
    private static void f4x4(ByteBuffer w, int off, int rb, float[] x, int xr, int cols, int vecEnd, float[] y,
            int yi, int yStride, int gap) {
        FloatVector z = FloatVector.zero(FS);
        FloatVector a00 = z;
        FloatVector a01 = z;
        FloatVector a02 = z;
        FloatVector a03 = z;
        FloatVector a10 = z;
        FloatVector a11 = z;
        FloatVector a12 = z;
        FloatVector a13 = z;
        FloatVector a20 = z;
        FloatVector a21 = z;
        FloatVector a22 = z;
        FloatVector a23 = z;
        FloatVector a30 = z;
        FloatVector a31 = z;
        FloatVector a32 = z;
        FloatVector a33 = z;
        int off1 = off + rb;
        int off2 = off1 + rb;
        int off3 = off2 + rb;
        for (int j = 0; j < vecEnd; j += L) {
            FloatVector w0 = FloatVector.fromByteBuffer(FS, w, off + 4 * j, NATIVE);
            FloatVector w1 = FloatVector.fromByteBuffer(FS, w, off1 + 4 * j, NATIVE);
            FloatVector w2 = FloatVector.fromByteBuffer(FS, w, off2 + 4 * j, NATIVE);
            FloatVector w3 = FloatVector.fromByteBuffer(FS, w, off3 + 4 * j, NATIVE);
            FloatVector x0 = FloatVector.fromArray(FS, x, xr + j);
            a00 = w0.fma(x0, a00);
            a01 = w1.fma(x0, a01);
            a02 = w2.fma(x0, a02);
            a03 = w3.fma(x0, a03);
            FloatVector x1 = FloatVector.fromArray(FS, x, xr + cols + j);
            a10 = w0.fma(x1, a10);
            a11 = w1.fma(x1, a11);
            a12 = w2.fma(x1, a12);
            a13 = w3.fma(x1, a13);
            FloatVector x2 = FloatVector.fromArray(FS, x, xr + 2 * cols + j);
            a20 = w0.fma(x2, a20);
            a21 = w1.fma(x2, a21);
            a22 = w2.fma(x2, a22);
            a23 = w3.fma(x2, a23);
            FloatVector x3 = FloatVector.fromArray(FS, x, xr + 3 * cols + j);
            a30 = w0.fma(x3, a30);
            a31 = w1.fma(x3, a31);
            a32 = w2.fma(x3, a32);
            a33 = w3.fma(x3, a33);
        }
        y[yi] = a00.reduceLanes(VectorOperators.ADD);
        y[yi + gap] = a01.reduceLanes(VectorOperators.ADD);
        y[yi + 2 * gap] = a02.reduceLanes(VectorOperators.ADD);
        y[yi + 3 * gap] = a03.reduceLanes(VectorOperators.ADD);
        y[yi + yStride] = a10.reduceLanes(VectorOperators.ADD);
        y[yi + yStride + gap] = a11.reduceLanes(VectorOperators.ADD);
        y[yi + yStride + 2 * gap] = a12.reduceLanes(VectorOperators.ADD);
        y[yi + yStride + 3 * gap] = a13.reduceLanes(VectorOperators.ADD);
        y[yi + 2 * yStride] = a20.reduceLanes(VectorOperators.ADD);
        y[yi + 2 * yStride + gap] = a21.reduceLanes(VectorOperators.ADD);
        y[yi + 2 * yStride + 2 * gap] = a22.reduceLanes(VectorOperators.ADD);
        y[yi + 2 * yStride + 3 * gap] = a23.reduceLanes(VectorOperators.ADD);
        y[yi + 3 * yStride] = a30.reduceLanes(VectorOperators.ADD);
        y[yi + 3 * yStride + gap] = a31.reduceLanes(VectorOperators.ADD);
        y[yi + 3 * yStride + 2 * gap] = a32.reduceLanes(VectorOperators.ADD);
        y[yi + 3 * yStride + 3 * gap] = a33.reduceLanes(VectorOperators.ADD);
    }

    /** Two weight rows against four activation rows: eight accumulators, each weight vector loaded once. */
    private static void f2x4(ByteBuffer w, int off, int rb, float[] x, int xr, int cols, int vecEnd, float[] y,
            int yi, int yStride, int gap) {
        FloatVector z = FloatVector.zero(FS);
        FloatVector a00 = z;
        FloatVector a01 = z;
        FloatVector a10 = z;
        FloatVector a11 = z;
        FloatVector a20 = z;
        FloatVector a21 = z;
        FloatVector a30 = z;
        FloatVector a31 = z;
        int off1 = off + rb;
        for (int j = 0; j < vecEnd; j += L) {
            FloatVector w0 = FloatVector.fromByteBuffer(FS, w, off + 4 * j, NATIVE);
            FloatVector w1 = FloatVector.fromByteBuffer(FS, w, off1 + 4 * j, NATIVE);
            FloatVector x0 = FloatVector.fromArray(FS, x, xr + j);
            a00 = w0.fma(x0, a00);
            a01 = w1.fma(x0, a01);
            FloatVector x1 = FloatVector.fromArray(FS, x, xr + cols + j);
            a10 = w0.fma(x1, a10);
            a11 = w1.fma(x1, a11);
            FloatVector x2 = FloatVector.fromArray(FS, x, xr + 2 * cols + j);
            a20 = w0.fma(x2, a20);
            a21 = w1.fma(x2, a21);
            FloatVector x3 = FloatVector.fromArray(FS, x, xr + 3 * cols + j);
            a30 = w0.fma(x3, a30);
            a31 = w1.fma(x3, a31);
        }
        y[yi] = a00.reduceLanes(VectorOperators.ADD);
        y[yi + gap] = a01.reduceLanes(VectorOperators.ADD);
        y[yi + yStride] = a10.reduceLanes(VectorOperators.ADD);
        y[yi + yStride + gap] = a11.reduceLanes(VectorOperators.ADD);
        y[yi + 2 * yStride] = a20.reduceLanes(VectorOperators.ADD);
        y[yi + 2 * yStride + gap] = a21.reduceLanes(VectorOperators.ADD);
        y[yi + 3 * yStride] = a30.reduceLanes(VectorOperators.ADD);
        y[yi + 3 * yStride + gap] = a31.reduceLanes(VectorOperators.ADD);
    }

    /** Four weight rows against two activation rows: each weight vector loaded once for both. */
    private static void f4x2(ByteBuffer w, int off, int rb, float[] x, int xr, int cols, int vecEnd, float[] y,
            int yi, int yStride, int gap) {
        FloatVector z = FloatVector.zero(FS);
        FloatVector a00 = z;
        FloatVector a01 = z;
        FloatVector a02 = z;
        FloatVector a03 = z;
        FloatVector a10 = z;
        FloatVector a11 = z;
        FloatVector a12 = z;
        FloatVector a13 = z;
        int off1 = off + rb;
        int off2 = off1 + rb;
        int off3 = off2 + rb;
        for (int j = 0; j < vecEnd; j += L) {
            FloatVector w0 = FloatVector.fromByteBuffer(FS, w, off + 4 * j, NATIVE);
            FloatVector w1 = FloatVector.fromByteBuffer(FS, w, off1 + 4 * j, NATIVE);
            FloatVector w2 = FloatVector.fromByteBuffer(FS, w, off2 + 4 * j, NATIVE);
            FloatVector w3 = FloatVector.fromByteBuffer(FS, w, off3 + 4 * j, NATIVE);
            FloatVector x0 = FloatVector.fromArray(FS, x, xr + j);
            a00 = w0.fma(x0, a00);
            a01 = w1.fma(x0, a01);
            a02 = w2.fma(x0, a02);
            a03 = w3.fma(x0, a03);
            FloatVector x1 = FloatVector.fromArray(FS, x, xr + cols + j);
            a10 = w0.fma(x1, a10);
            a11 = w1.fma(x1, a11);
            a12 = w2.fma(x1, a12);
            a13 = w3.fma(x1, a13);
        }
        y[yi] = a00.reduceLanes(VectorOperators.ADD);
        y[yi + gap] = a01.reduceLanes(VectorOperators.ADD);
        y[yi + 2 * gap] = a02.reduceLanes(VectorOperators.ADD);
        y[yi + 3 * gap] = a03.reduceLanes(VectorOperators.ADD);
        y[yi + yStride] = a10.reduceLanes(VectorOperators.ADD);
        y[yi + yStride + gap] = a11.reduceLanes(VectorOperators.ADD);
        y[yi + yStride + 2 * gap] = a12.reduceLanes(VectorOperators.ADD);
        y[yi + yStride + 3 * gap] = a13.reduceLanes(VectorOperators.ADD);
    }

    /** Four weight rows against one activation row: four FMA chains. */
    private static void f4x1(ByteBuffer w, int off, int rb, float[] x, int xr, int cols, int vecEnd, float[] y,
            int yi, int gap) {
        FloatVector z = FloatVector.zero(FS);
        FloatVector a00 = z;
        FloatVector a01 = z;
        FloatVector a02 = z;
        FloatVector a03 = z;
        int off1 = off + rb;
        int off2 = off1 + rb;
        int off3 = off2 + rb;
        for (int j = 0; j < vecEnd; j += L) {
            FloatVector w0 = FloatVector.fromByteBuffer(FS, w, off + 4 * j, NATIVE);
            FloatVector w1 = FloatVector.fromByteBuffer(FS, w, off1 + 4 * j, NATIVE);
            FloatVector w2 = FloatVector.fromByteBuffer(FS, w, off2 + 4 * j, NATIVE);
            FloatVector w3 = FloatVector.fromByteBuffer(FS, w, off3 + 4 * j, NATIVE);
            FloatVector x0 = FloatVector.fromArray(FS, x, xr + j);
            a00 = w0.fma(x0, a00);
            a01 = w1.fma(x0, a01);
            a02 = w2.fma(x0, a02);
            a03 = w3.fma(x0, a03);
        }
        y[yi] = a00.reduceLanes(VectorOperators.ADD);
        y[yi + gap] = a01.reduceLanes(VectorOperators.ADD);
        y[yi + 2 * gap] = a02.reduceLanes(VectorOperators.ADD);
        y[yi + 3 * gap] = a03.reduceLanes(VectorOperators.ADD);
    }
}
