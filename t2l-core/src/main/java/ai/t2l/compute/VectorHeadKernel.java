package ai.t2l.compute;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link HeadKernel} with the Java Vector API: 16 accumulators (8 activation rows × 2 vectors of 16 weight rows), per
 * k two panel loads and eight broadcasts for sixteen FMAs. Written out by hand so that C2 keeps every accumulator in
 * a register. Same results as {@link HeadKernel#SCALAR} (lane f of a vector is weight row f's own chain). The
 * bfloat16 form differs only in its panel load: one int vector, widened by a shift (rows 0–15) and a mask (16–31).
 */
final class VectorHeadKernel implements HeadKernel {
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_512;
    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_512;

    VectorHeadKernel() {
        if (HeadProduct.FEATURES_PER_PANEL != 2 * FS.length() || HeadProduct.ROWS_PER_TILE != 8) {
            throw new IllegalStateException("tile shape and vector length disagree");
        }
        if (FloatVector.SPECIES_PREFERRED.vectorBitSize() < FS.vectorBitSize()) {
            // without AVX-512 the JIT would emulate these vectors lane by lane: slower than the engine
            throw new IllegalStateException("no 512-bit vectors on this CPU");
        }
    }

    @Override
    public void tile(float[] p, int base, int second, int cols, float[] xb, float[] out) {
        tile(p, null, base, second, cols, xb, out);
    }

    @Override
    public void tileBf16(int[] p, int base, int cols, float[] xb, float[] out) {
        tile(null, p, base, 0, cols, xb, out);
    }

    /**
     * One body for both panel types (exactly one of pf, pb is non-null): the test is loop-invariant, and C2 compiles
     * the loop once per case (loop unswitching), so neither pays for it (BENCHMARKS.md, issue 16, eleventh session).
     */
    private static void tile(float[] pf, int[] pb, int base, int second, int cols, float[] xb, float[] out) {
        FloatVector a00 = FloatVector.zero(FS), a01 = FloatVector.zero(FS);
        FloatVector a10 = FloatVector.zero(FS), a11 = FloatVector.zero(FS);
        FloatVector a20 = FloatVector.zero(FS), a21 = FloatVector.zero(FS);
        FloatVector a30 = FloatVector.zero(FS), a31 = FloatVector.zero(FS);
        FloatVector a40 = FloatVector.zero(FS), a41 = FloatVector.zero(FS);
        FloatVector a50 = FloatVector.zero(FS), a51 = FloatVector.zero(FS);
        FloatVector a60 = FloatVector.zero(FS), a61 = FloatVector.zero(FS);
        FloatVector a70 = FloatVector.zero(FS), a71 = FloatVector.zero(FS);
        for (int k = 0; k < cols; k++) {
            FloatVector w0;
            FloatVector w1;
            if (pb == null) {
                w0 = FloatVector.fromArray(FS, pf, base + k * 16);
                w1 = FloatVector.fromArray(FS, pf, second + k * 16);
            } else { // bfloat16: rows j in the low halves, 16 + j in the high ones; widening is exact
                IntVector v = IntVector.fromArray(IS, pb, base + k * 16);
                w0 = v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                w1 = v.and(0xFFFF0000).reinterpretAsFloats();
            }
            int xk = k * 8;
            FloatVector x = FloatVector.broadcast(FS, xb[xk]);
            a00 = x.fma(w0, a00);
            a01 = x.fma(w1, a01);
            x = FloatVector.broadcast(FS, xb[xk + 1]);
            a10 = x.fma(w0, a10);
            a11 = x.fma(w1, a11);
            x = FloatVector.broadcast(FS, xb[xk + 2]);
            a20 = x.fma(w0, a20);
            a21 = x.fma(w1, a21);
            x = FloatVector.broadcast(FS, xb[xk + 3]);
            a30 = x.fma(w0, a30);
            a31 = x.fma(w1, a31);
            x = FloatVector.broadcast(FS, xb[xk + 4]);
            a40 = x.fma(w0, a40);
            a41 = x.fma(w1, a41);
            x = FloatVector.broadcast(FS, xb[xk + 5]);
            a50 = x.fma(w0, a50);
            a51 = x.fma(w1, a51);
            x = FloatVector.broadcast(FS, xb[xk + 6]);
            a60 = x.fma(w0, a60);
            a61 = x.fma(w1, a61);
            x = FloatVector.broadcast(FS, xb[xk + 7]);
            a70 = x.fma(w0, a70);
            a71 = x.fma(w1, a71);
        }
        a00.intoArray(out, 0);
        a01.intoArray(out, 16);
        a10.intoArray(out, 32);
        a11.intoArray(out, 48);
        a20.intoArray(out, 64);
        a21.intoArray(out, 80);
        a30.intoArray(out, 96);
        a31.intoArray(out, 112);
        a40.intoArray(out, 128);
        a41.intoArray(out, 144);
        a50.intoArray(out, 160);
        a51.intoArray(out, 176);
        a60.intoArray(out, 192);
        a61.intoArray(out, 208);
        a70.intoArray(out, 224);
        a71.intoArray(out, 240);
    }
}
