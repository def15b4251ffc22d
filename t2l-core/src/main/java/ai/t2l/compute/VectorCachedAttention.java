package ai.t2l.compute;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link CachedAttention.Kernel} on the Java Vector API, over one KV head's slots copied to arrays: dot products four
 * keys at a time (four independent sums over d, then across lanes), softmax with vector exponentials, and the values
 * weighted in blocks of four vectors of d, each slot's block read whole. Helpers take no vector arguments (C2 would
 * box them past its inlining budget), except the exponential: C2's final compilation of the softmax inlined it in
 * a loop of batch-8 layers ({@code -XX:+PrintInlining}, BENCHMARKS.md, twenty-fourth session), where earlier ones
 * found it too large.
 */
final class VectorCachedAttention implements CachedAttention.Kernel {
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final int L = FS.length();

    @Override
    public void row(float[] q, int qAt, float[] keys, float[] values, int d, int used, float scale, float softcap,
            float[] mask, int maskAt, float[] p, float[] out, int outAt) {
        scores(q, qAt, keys, d, used, scale, softcap, mask, maskAt, p);
        softmax(p, used);
        weighted(p, values, d, used, out, outAt);
    }

    private static void scores(float[] q, int qAt, float[] k, int d, int used, float scale,
            float softcap, float[] mask, int maskAt, float[] p) {
        int vecEnd = d - d % L;
        int row = d;
        int j = 0;
        for (; j + 4 <= used; j += 4) {
            int k0 = j * row;
            FloatVector s0 = FloatVector.zero(FS);
            FloatVector s1 = FloatVector.zero(FS);
            FloatVector s2 = FloatVector.zero(FS);
            FloatVector s3 = FloatVector.zero(FS);
            for (int c = 0; c < vecEnd; c += L) {
                FloatVector qv = FloatVector.fromArray(FS, q, qAt + c);
                s0 = FloatVector.fromArray(FS, k, k0 + c).fma(qv, s0);
                s1 = FloatVector.fromArray(FS, k, k0 + row + c).fma(qv, s1);
                s2 = FloatVector.fromArray(FS, k, k0 + 2 * row + c).fma(qv, s2);
                s3 = FloatVector.fromArray(FS, k, k0 + 3 * row + c).fma(qv, s3);
            }
            p[j] = s0.reduceLanes(VectorOperators.ADD) + tailDot(q, qAt, k, k0, vecEnd, d);
            p[j + 1] = s1.reduceLanes(VectorOperators.ADD) + tailDot(q, qAt, k, k0 + row, vecEnd, d);
            p[j + 2] = s2.reduceLanes(VectorOperators.ADD) + tailDot(q, qAt, k, k0 + 2 * row, vecEnd, d);
            p[j + 3] = s3.reduceLanes(VectorOperators.ADD) + tailDot(q, qAt, k, k0 + 3 * row, vecEnd, d);
        }
        for (; j < used; j++) {
            int kj = j * row;
            FloatVector s0 = FloatVector.zero(FS);
            for (int c = 0; c < vecEnd; c += L) {
                s0 = FloatVector.fromArray(FS, k, kj + c).fma(FloatVector.fromArray(FS, q, qAt + c),
                        s0);
            }
            p[j] = s0.reduceLanes(VectorOperators.ADD) + tailDot(q, qAt, k, kj, vecEnd, d);
        }
        for (j = 0; j < used; j++) {
            float s = p[j] * scale; // as the engine: the product, then the scale
            if (softcap != 0f) {
                s = (float) Math.tanh(s / softcap) * softcap;
            }
            p[j] = s + mask[maskAt + j];
        }
    }

    /** The part of q·k past the whole vectors. */
    private static float tailDot(float[] q, int qAt, float[] k, int kAt, int from, int d) {
        float t = 0f;
        for (int c = from; c < d; c++) {
            t = Math.fma(q[qAt + c], k[kAt + c], t);
        }
        return t;
    }

    /** Softmax in place: e^(x − max) / Σ, the exponentials in vectors ({@link VectorKernels#exp}: {@link Exp}'s bits). */
    private static void softmax(float[] p, int n) {
        int end = n - n % L;
        FloatVector mv = FloatVector.broadcast(FS, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < end; j += L) {
            mv = mv.max(FloatVector.fromArray(FS, p, j));
        }
        float max = mv.reduceLanes(VectorOperators.MAX);
        for (int j = end; j < n; j++) {
            max = Math.max(max, p[j]);
        }
        FloatVector sv = FloatVector.zero(FS);
        for (int j = 0; j < end; j += L) {
            FloatVector e = VectorKernels.exp(FloatVector.fromArray(FS, p, j).sub(max));
            e.intoArray(p, j);
            sv = sv.add(e);
        }
        float sum = sv.reduceLanes(VectorOperators.ADD);
        for (int j = end; j < n; j++) {
            p[j] = Exp.exp(p[j] - max);
            sum += p[j];
        }
        for (int j = 0; j < end; j += L) {
            FloatVector.fromArray(FS, p, j).div(sum).intoArray(p, j);
        }
        for (int j = end; j < n; j++) {
            p[j] /= sum;
        }
    }

    /** out[at .. at + d): blocks of four vectors of d, each row's block read whole per slot (four chains). */
    private static void weighted(float[] p, float[] v, int d, int used, float[] out, int at) {
        int vecEnd = d - d % (4 * L);
        int row = d;
        for (int c = 0; c < vecEnd; c += 4 * L) {
            FloatVector a0 = FloatVector.zero(FS);
            FloatVector a1 = FloatVector.zero(FS);
            FloatVector a2 = FloatVector.zero(FS);
            FloatVector a3 = FloatVector.zero(FS);
            int r = c;
            for (int j = 0; j < used; j++, r += row) {
                FloatVector pj = FloatVector.broadcast(FS, p[j]);
                a0 = FloatVector.fromArray(FS, v, r).fma(pj, a0);
                a1 = FloatVector.fromArray(FS, v, r + L).fma(pj, a1);
                a2 = FloatVector.fromArray(FS, v, r + 2 * L).fma(pj, a2);
                a3 = FloatVector.fromArray(FS, v, r + 3 * L).fma(pj, a3);
            }
            a0.intoArray(out, at + c);
            a1.intoArray(out, at + c + L);
            a2.intoArray(out, at + c + 2 * L);
            a3.intoArray(out, at + c + 3 * L);
        }
        for (int c = vecEnd; c < d; c++) {
            float t = 0f;
            for (int j = 0; j < used; j++) {
                t = Math.fma(p[j], v[j * row + c], t);
            }
            out[at + c] = t;
        }
    }
}
