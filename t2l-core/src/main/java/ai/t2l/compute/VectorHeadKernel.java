package ai.t2l.compute;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link HeadKernel} with the Java Vector API: 16 accumulators (8 weight rows × 2 vectors of 16 activation rows),
 * per k two activation loads and eight broadcasts for sixteen FMAs. Written out by hand so that C2 keeps every
 * accumulator in a register. Same results as {@link HeadKernel#SCALAR} (lane i of a vector is row i's own chain).
 * The two methods differ only in where the eight broadcasts read: rows cols apart, or eight neighbours.
 */
final class VectorHeadKernel implements HeadKernel {
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_512;

    VectorHeadKernel() {
        if (HeadProduct.ROWS_PER_BLOCK != 2 * FS.length() || HeadProduct.FEATURES_PER_BLOCK != 8) {
            throw new IllegalStateException("block shape and vector length disagree");
        }
        if (FloatVector.SPECIES_PREFERRED.vectorBitSize() < FS.vectorBitSize()) {
            // without AVX-512 the JIT would emulate these vectors lane by lane: slower than the engine
            throw new IllegalStateException("no 512-bit vectors on this CPU");
        }
    }

    @Override
    public void block(float[] p, int cols, float[] xt, float[] out) {
        FloatVector a00 = FloatVector.zero(FS), a01 = FloatVector.zero(FS);
        FloatVector a10 = FloatVector.zero(FS), a11 = FloatVector.zero(FS);
        FloatVector a20 = FloatVector.zero(FS), a21 = FloatVector.zero(FS);
        FloatVector a30 = FloatVector.zero(FS), a31 = FloatVector.zero(FS);
        FloatVector a40 = FloatVector.zero(FS), a41 = FloatVector.zero(FS);
        FloatVector a50 = FloatVector.zero(FS), a51 = FloatVector.zero(FS);
        FloatVector a60 = FloatVector.zero(FS), a61 = FloatVector.zero(FS);
        FloatVector a70 = FloatVector.zero(FS), a71 = FloatVector.zero(FS);
        int c1 = cols, c2 = 2 * cols, c3 = 3 * cols, c4 = 4 * cols, c5 = 5 * cols, c6 = 6 * cols, c7 = 7 * cols;
        for (int k = 0; k < cols; k++) {
            FloatVector x0 = FloatVector.fromArray(FS, xt, k * 32);
            FloatVector x1 = FloatVector.fromArray(FS, xt, k * 32 + 16);
            FloatVector w = FloatVector.broadcast(FS, p[k]);
            a00 = w.fma(x0, a00);
            a01 = w.fma(x1, a01);
            w = FloatVector.broadcast(FS, p[c1 + k]);
            a10 = w.fma(x0, a10);
            a11 = w.fma(x1, a11);
            w = FloatVector.broadcast(FS, p[c2 + k]);
            a20 = w.fma(x0, a20);
            a21 = w.fma(x1, a21);
            w = FloatVector.broadcast(FS, p[c3 + k]);
            a30 = w.fma(x0, a30);
            a31 = w.fma(x1, a31);
            w = FloatVector.broadcast(FS, p[c4 + k]);
            a40 = w.fma(x0, a40);
            a41 = w.fma(x1, a41);
            w = FloatVector.broadcast(FS, p[c5 + k]);
            a50 = w.fma(x0, a50);
            a51 = w.fma(x1, a51);
            w = FloatVector.broadcast(FS, p[c6 + k]);
            a60 = w.fma(x0, a60);
            a61 = w.fma(x1, a61);
            w = FloatVector.broadcast(FS, p[c7 + k]);
            a70 = w.fma(x0, a70);
            a71 = w.fma(x1, a71);
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

    @Override
    public void blockInterleaved(float[] p, int cols, float[] xt, float[] out) {
        FloatVector a00 = FloatVector.zero(FS), a01 = FloatVector.zero(FS);
        FloatVector a10 = FloatVector.zero(FS), a11 = FloatVector.zero(FS);
        FloatVector a20 = FloatVector.zero(FS), a21 = FloatVector.zero(FS);
        FloatVector a30 = FloatVector.zero(FS), a31 = FloatVector.zero(FS);
        FloatVector a40 = FloatVector.zero(FS), a41 = FloatVector.zero(FS);
        FloatVector a50 = FloatVector.zero(FS), a51 = FloatVector.zero(FS);
        FloatVector a60 = FloatVector.zero(FS), a61 = FloatVector.zero(FS);
        FloatVector a70 = FloatVector.zero(FS), a71 = FloatVector.zero(FS);
        for (int k = 0; k < cols; k++) {
            FloatVector x0 = FloatVector.fromArray(FS, xt, k * 32);
            FloatVector x1 = FloatVector.fromArray(FS, xt, k * 32 + 16);
            int b = 8 * k;
            FloatVector w = FloatVector.broadcast(FS, p[b]);
            a00 = w.fma(x0, a00);
            a01 = w.fma(x1, a01);
            w = FloatVector.broadcast(FS, p[b + 1]);
            a10 = w.fma(x0, a10);
            a11 = w.fma(x1, a11);
            w = FloatVector.broadcast(FS, p[b + 2]);
            a20 = w.fma(x0, a20);
            a21 = w.fma(x1, a21);
            w = FloatVector.broadcast(FS, p[b + 3]);
            a30 = w.fma(x0, a30);
            a31 = w.fma(x1, a31);
            w = FloatVector.broadcast(FS, p[b + 4]);
            a40 = w.fma(x0, a40);
            a41 = w.fma(x1, a41);
            w = FloatVector.broadcast(FS, p[b + 5]);
            a50 = w.fma(x0, a50);
            a51 = w.fma(x1, a51);
            w = FloatVector.broadcast(FS, p[b + 6]);
            a60 = w.fma(x0, a60);
            a61 = w.fma(x1, a61);
            w = FloatVector.broadcast(FS, p[b + 7]);
            a70 = w.fma(x0, a70);
            a71 = w.fma(x1, a71);
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
