package ai.t2l.compute;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link HeadKernel} for CPUs whose widest vectors hold 8 floats (AVX2: most AMD Zen and many Intel cores). Such a CPU
 * has 16 vector registers, too few for {@link VectorHeadKernel}'s 16 accumulators plus operands, so the 8 × 32 tile
 * is done in three passes: rows 0–5 against each 16-row half of the panel (12 accumulators; per k two panel loads
 * and six broadcasts for twelve FMAs), then rows 6–7 against the whole panel (eight accumulators). The later passes
 * read the panel from L1/L2, where the first brought it. Lane f of a vector is weight row f's own chain, k ascending
 * from zero, so the bits are those of {@link HeadKernel#SCALAR} and {@link VectorHeadKernel}.
 *
 * <p>Measured on an AMD EPYC (Zen 3, two cores), 4,096 × 512 weights in cache against 32 rows (BENCHMARKS.md, issue 16,
 * twenty-first session): 140–145 GFLOP/s in float32 and bfloat16, against 106 for four passes of 4 rows (eight
 * accumulators) and 105–114 for passes of 5 and 3 rows. The register budget is tight, and C2 decides it:
 * <ul>
 *   <li>one loop for both panel types, the type tested inside it, as in {@link VectorHeadKernel}. A float32-only copy
 *       of the six-row loop ran at 84: C2 hoisted its bounds checks, scheduled a third broadcast early and spilled
 *       one accumulator to the stack (seen in the compiled code);</li>
 *   <li>no constant mask for the high bfloat16 halves ({@link #highHalves}).</li>
 * </ul>
 * Without this kernel such a CPU fell back to the engine's products and generated adapters 2.5–3× slower.
 */
final class VectorHeadKernel256 implements HeadKernel {
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_256;
    private static final int HALF = HeadProduct.FEATURES_PER_PANEL / 2;

    VectorHeadKernel256() {
        if (HALF != 2 * FS.length() || HeadProduct.ROWS_PER_TILE != 8) {
            throw new IllegalStateException("tile shape and vector length disagree");
        }
        if (!VectorInt8Kernel256.runsHere()) {
            // without AVX2 the JIT would emulate these vectors lane by lane: slower than the engine
            throw new IllegalStateException("no 256-bit vectors on this CPU");
        }
    }

    @Override
    public void tile(float[] p, int base, int second, int cols, float[] xb, float[] out) {
        sixRows(p, null, base, false, cols, xb, out, 0);
        sixRows(p, null, second, false, cols, xb, out, HALF);
        twoRows(p, null, base, second, cols, xb, out, 6);
    }

    /**
     * Only the passes that reach the first {@code rows} rows: one or two passes of two rows against the whole panel
     * for up to four, the two six-row passes for five or six. Each lane's chain is the same as in {@link #tile}, so
     * are its bits. Decode with 3 to 7 rows (F32Matrix) is what takes these.
     */
    @Override
    public void tileRows(float[] p, int base, int second, int cols, float[] xb, float[] out, int rows) {
        if (rows <= 4) {
            twoRows(p, null, base, second, cols, xb, out, 0);
            if (rows > 2) {
                twoRows(p, null, base, second, cols, xb, out, 2);
            }
        } else if (rows <= 6) {
            sixRows(p, null, base, false, cols, xb, out, 0);
            sixRows(p, null, second, false, cols, xb, out, HALF);
        } else {
            tile(p, base, second, cols, xb, out);
        }
    }

    @Override
    public void tileBf16(int[] p, int base, int cols, float[] xb, float[] out) {
        sixRows(null, p, base, false, cols, xb, out, 0);
        sixRows(null, p, base, true, cols, xb, out, HALF);
        twoRows(null, p, base, base, cols, xb, out, 6);
    }

    /**
     * Rows 0–5 against 16 weight rows, into out from o (32 per row): float32 ones at pf[at + k·16 ..] (pb null), or
     * the low (high = false) or high 16 bits of pb[at + k·16 ..]. The tests on pb and high are loop-invariant (C2
     * compiles one loop per case).
     */
    private static void sixRows(float[] pf, int[] pb, int at, boolean high, int cols, float[] xb, float[] out,
            int o) {
        FloatVector a00 = FloatVector.zero(FS), a01 = FloatVector.zero(FS);
        FloatVector a10 = FloatVector.zero(FS), a11 = FloatVector.zero(FS);
        FloatVector a20 = FloatVector.zero(FS), a21 = FloatVector.zero(FS);
        FloatVector a30 = FloatVector.zero(FS), a31 = FloatVector.zero(FS);
        FloatVector a40 = FloatVector.zero(FS), a41 = FloatVector.zero(FS);
        FloatVector a50 = FloatVector.zero(FS), a51 = FloatVector.zero(FS);
        for (int k = 0; k < cols; k++) {
            int wk = at + k * HALF;
            FloatVector w0;
            FloatVector w1;
            if (pb == null) {
                w0 = FloatVector.fromArray(FS, pf, wk);
                w1 = FloatVector.fromArray(FS, pf, wk + 8);
            } else if (!high) {
                w0 = lowHalves(IntVector.fromArray(IS, pb, wk));
                w1 = lowHalves(IntVector.fromArray(IS, pb, wk + 8));
            } else {
                w0 = highHalves(IntVector.fromArray(IS, pb, wk));
                w1 = highHalves(IntVector.fromArray(IS, pb, wk + 8));
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
        }
        a00.intoArray(out, o);
        a01.intoArray(out, o + 8);
        a10.intoArray(out, o + 32);
        a11.intoArray(out, o + 40);
        a20.intoArray(out, o + 64);
        a21.intoArray(out, o + 72);
        a30.intoArray(out, o + 96);
        a31.intoArray(out, o + 104);
        a40.intoArray(out, o + 128);
        a41.intoArray(out, o + 136);
        a50.intoArray(out, o + 160);
        a51.intoArray(out, o + 168);
    }

    /**
     * Rows r0 and r0 + 1 against all 32 weight rows: float32 ones at pf[at + k·16 ..] and pf[second + k·16 ..], or
     * both halves of pb[at + k·16 ..].
     */
    private static void twoRows(float[] pf, int[] pb, int at, int second, int cols, float[] xb, float[] out, int r0) {
        FloatVector a0 = FloatVector.zero(FS), a1 = FloatVector.zero(FS);
        FloatVector a2 = FloatVector.zero(FS), a3 = FloatVector.zero(FS);
        FloatVector b0 = FloatVector.zero(FS), b1 = FloatVector.zero(FS);
        FloatVector b2 = FloatVector.zero(FS), b3 = FloatVector.zero(FS);
        for (int k = 0; k < cols; k++) {
            int wk = at + k * HALF;
            FloatVector w0, w1, w2, w3;
            if (pb == null) {
                int sk = second + k * HALF;
                w0 = FloatVector.fromArray(FS, pf, wk);
                w1 = FloatVector.fromArray(FS, pf, wk + 8);
                w2 = FloatVector.fromArray(FS, pf, sk);
                w3 = FloatVector.fromArray(FS, pf, sk + 8);
            } else {
                IntVector v0 = IntVector.fromArray(IS, pb, wk);
                IntVector v1 = IntVector.fromArray(IS, pb, wk + 8);
                w0 = lowHalves(v0);
                w1 = lowHalves(v1);
                w2 = highHalves(v0);
                w3 = highHalves(v1);
            }
            int xk = k * 8 + r0;
            FloatVector x = FloatVector.broadcast(FS, xb[xk]);
            a0 = x.fma(w0, a0);
            a1 = x.fma(w1, a1);
            a2 = x.fma(w2, a2);
            a3 = x.fma(w3, a3);
            x = FloatVector.broadcast(FS, xb[xk + 1]);
            b0 = x.fma(w0, b0);
            b1 = x.fma(w1, b1);
            b2 = x.fma(w2, b2);
            b3 = x.fma(w3, b3);
        }
        int o = r0 * HeadProduct.FEATURES_PER_PANEL;
        a0.intoArray(out, o);
        a1.intoArray(out, o + 8);
        a2.intoArray(out, o + 16);
        a3.intoArray(out, o + 24);
        b0.intoArray(out, o + 32);
        b1.intoArray(out, o + 40);
        b2.intoArray(out, o + 48);
        b3.intoArray(out, o + 56);
    }

    /** bfloat16 weights in the low 16 bits of each lane, widened to float32 exactly (shifted up). */
    private static FloatVector lowHalves(IntVector v) {
        return v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /**
     * bfloat16 weights in the high 16 bits, the low ones cleared by two shifts: an AND with 0xFFFF0000 would hold its
     * constant in a register, and with twelve accumulators live that spilled one (88 against 145 GFLOP/s).
     */
    private static FloatVector highHalves(IntVector v) {
        return v.lanewise(VectorOperators.LSHR, 16).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }
}
