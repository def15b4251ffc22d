package ai.t2l.compute;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link CachedAttention.Kernel} on the Java Vector API: dot products four keys at a time (four independent sums
 * over d, then across lanes), softmax with {@link Exp}, and the weighted sum of the values with four running sums
 * over the slots per vector of d. Helpers take no vector arguments (C2 would box them past its inlining budget).
 */
final class VectorCachedAttention implements CachedAttention.Kernel {
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final int L = FS.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    @Override
    public void row(float[] q, int qAt, ByteBuffer keys, ByteBuffer values, int cacheByte, int d, int used,
            float scale, float softcap, float[] mask, int maskAt, float[] p, float[] out, int outAt) {
        scores(q, qAt, keys, cacheByte, d, used, scale, softcap, mask, maskAt, p);
        softmax(p, used);
        weighted(p, values, cacheByte, d, used, out, outAt);
    }

    /**
     * p[j] = (q·k_j)·scale, soft-capped, + mask: four keys at a time (four independent sums over d, then across
     * lanes).
     */
    private static void scores(float[] q, int qAt, ByteBuffer k, int kByte, int d, int used, float scale,
            float softcap, float[] mask, int maskAt, float[] p) {
        int vecEnd = d - d % L;
        int row = 4 * d;
        int j = 0;
        for (; j + 4 <= used; j += 4) {
            int k0 = kByte + j * row;
            FloatVector s0 = FloatVector.zero(FS);
            FloatVector s1 = FloatVector.zero(FS);
            FloatVector s2 = FloatVector.zero(FS);
            FloatVector s3 = FloatVector.zero(FS);
            for (int c = 0; c < vecEnd; c += L) {
                FloatVector qv = FloatVector.fromArray(FS, q, qAt + c);
                s0 = FloatVector.fromByteBuffer(FS, k, k0 + 4 * c, NATIVE).fma(qv, s0);
                s1 = FloatVector.fromByteBuffer(FS, k, k0 + row + 4 * c, NATIVE).fma(qv, s1);
                s2 = FloatVector.fromByteBuffer(FS, k, k0 + 2 * row + 4 * c, NATIVE).fma(qv, s2);
                s3 = FloatVector.fromByteBuffer(FS, k, k0 + 3 * row + 4 * c, NATIVE).fma(qv, s3);
            }
            p[j] = s0.reduceLanes(VectorOperators.ADD) + tailDot(q, qAt, k, k0, vecEnd, d);
            p[j + 1] = s1.reduceLanes(VectorOperators.ADD) + tailDot(q, qAt, k, k0 + row, vecEnd, d);
            p[j + 2] = s2.reduceLanes(VectorOperators.ADD) + tailDot(q, qAt, k, k0 + 2 * row, vecEnd, d);
            p[j + 3] = s3.reduceLanes(VectorOperators.ADD) + tailDot(q, qAt, k, k0 + 3 * row, vecEnd, d);
        }
        for (; j < used; j++) {
            int kj = kByte + j * row;
            FloatVector s0 = FloatVector.zero(FS);
            for (int c = 0; c < vecEnd; c += L) {
                s0 = FloatVector.fromByteBuffer(FS, k, kj + 4 * c, NATIVE).fma(FloatVector.fromArray(FS, q, qAt + c),
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
    private static float tailDot(float[] q, int qAt, ByteBuffer k, int kByte, int from, int d) {
        float t = 0f;
        for (int c = from; c < d; c++) {
            t = Math.fma(q[qAt + c], k.getFloat(kByte + 4 * c), t);
        }
        return t;
    }

    /** Softmax in place: e^(x − max) / Σ. */
    private static void softmax(float[] p, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, p[j]);
        }
        float sum = 0f;
        for (int j = 0; j < n; j++) {
            float e = Exp.exp(p[j] - max);
            p[j] = e;
            sum += e;
        }
        for (int j = 0; j < n; j++) {
            p[j] /= sum;
        }
    }

    /** out[at .. at + d) = Σ_j p[j]·v_j: per vector of d, four running sums over j, then added. */
    private static void weighted(float[] p, ByteBuffer v, int vByte, int d, int used, float[] out, int at) {
        int vecEnd = d - d % L;
        int row = 4 * d;
        for (int c = 0; c < vecEnd; c += L) {
            FloatVector a0 = FloatVector.zero(FS);
            FloatVector a1 = FloatVector.zero(FS);
            FloatVector a2 = FloatVector.zero(FS);
            FloatVector a3 = FloatVector.zero(FS);
            int at0 = vByte + 4 * c;
            int j = 0;
            for (; j + 4 <= used; j += 4) {
                int r = at0 + j * row;
                a0 = FloatVector.fromByteBuffer(FS, v, r, NATIVE).fma(FloatVector.broadcast(FS, p[j]), a0);
                a1 = FloatVector.fromByteBuffer(FS, v, r + row, NATIVE).fma(FloatVector.broadcast(FS, p[j + 1]), a1);
                a2 = FloatVector.fromByteBuffer(FS, v, r + 2 * row, NATIVE).fma(FloatVector.broadcast(FS, p[j + 2]),
                        a2);
                a3 = FloatVector.fromByteBuffer(FS, v, r + 3 * row, NATIVE).fma(FloatVector.broadcast(FS, p[j + 3]),
                        a3);
            }
            for (; j < used; j++) {
                a0 = FloatVector.fromByteBuffer(FS, v, at0 + j * row, NATIVE).fma(FloatVector.broadcast(FS, p[j]), a0);
            }
            a0.add(a1).add(a2.add(a3)).intoArray(out, at + c);
        }
        for (int c = vecEnd; c < d; c++) {
            float t = 0f;
            for (int j = 0; j < used; j++) {
                t = Math.fma(p[j], v.getFloat(vByte + j * row + 4 * c), t);
            }
            out[at + c] = t;
        }
    }
}
