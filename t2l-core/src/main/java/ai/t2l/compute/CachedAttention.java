package ai.t2l.compute;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Scaled dot-product attention of a few new query positions over a KV cache, read in place: softmax(q·kᵀ·scale
 * [soft-capped] + mask)·v, the computation of {@code Transformer.attend} (HF eager attention with grouped-query heads)
 * in one call instead of about a dozen engine ops. A decode step's attention is tiny (at batch 8 on §2's model about
 * 2 M multiply-adds a layer), so its time was those ops: 5.0 of a 29.6 ms batch-8 step and 1.7 of a 13.5 ms batch-1
 * step, timed inside the step (BENCHMARKS.md, issue 16, twenty-fourth session).
 *
 * <p>Float32 throughout; the sums run in another order than libtorch's (dot products in vector lanes, then across
 * them; exponentials from {@link Exp}), so outputs agree with the engine's to float rounding, not bit for bit. The
 * tests hold it to the engine's attention on every family's features (GQA, sliding windows, Gemma 2's soft-capping
 * and scale, padded rows). Only with the Vector API ({@link VectorCachedAttention}); without it callers keep the
 * engine's ops ({@link #available}).
 */
public final class CachedAttention {
    /** One query row's attention over one KV head's slots, copied to arrays. */
    interface Kernel {
        /**
         * out[outAt .. outAt + d) = softmax(p)·v, where p[j] = (q[qAt ..]·k_j)·scale, soft-capped, + mask[maskAt + j]
         * for the {@code used} slots of {@code keys} and {@code values} ({@code d} floats a slot, from 0). {@code p}
         * is scratch of at least {@code used} floats.
         */
        void row(float[] q, int qAt, float[] keys, float[] values, int d, int used, float scale, float softcap,
                float[] mask, int maskAt, float[] p, float[] out, int outAt);
    }

    private static final Kernel KERNEL = VectorApi.load(Kernel.class, "ai.t2l.compute.VectorCachedAttention",
            CachedAttention::selfTest);

    /** Per thread: scores, keys and values of one KV head (see {@link #scratch}). */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(
            () -> new float[][] {new float[0], new float[0], new float[0]});

    private CachedAttention() {}

    /** Whether this JVM runs the Java attention (the Vector API module is present and its kernel loaded). */
    public static boolean available() {
        return KERNEL != null;
    }

    /**
     * The attention output, (batch, seq, heads·d) row-major: the layout the output projection reads.
     *
     * @param q the rotated queries, (batch, heads, seq, d) row-major
     * @param keys the cache's keys, (batch, kvHeads, capacity, d) float32 in native byte order; slots [0, used) hold
     *     the keys so far, this step's included
     * @param values the cache's values, laid out as the keys
     * @param mask additive, (batch, seq, used): 0 where a query sees a key, a large negative number elsewhere
     * @param softcap Gemma 2's attention soft-capping (cap·tanh(s / cap), before the mask), or 0 for none
     */
    public static float[] attend(float[] q, int batch, int heads, int seq, int d, ByteBuffer keys, ByteBuffer values,
            int kvHeads, int capacity, int used, float[] mask, float scale, float softcap) {
        if (KERNEL == null) {
            throw new IllegalStateException("attention: no Vector API kernel in this JVM (check available())");
        }
        if (heads % kvHeads != 0 || used > capacity || used <= 0) {
            throw new IllegalArgumentException("attention: " + heads + " heads over " + kvHeads + " KV heads, "
                    + used + " of " + capacity + " cache slots");
        }
        long cacheBytes = 4L * batch * kvHeads * capacity * d;
        if (q.length < (long) batch * heads * seq * d || keys.capacity() < cacheBytes
                || values.capacity() < cacheBytes || mask.length < (long) batch * seq * used) {
            throw new IllegalArgumentException("attention: q " + q.length + ", keys " + keys.capacity() + " and values "
                    + values.capacity() + " bytes, mask " + mask.length + " for batch " + batch + ", " + heads
                    + " heads, " + seq + " positions, d " + d + ", " + used + " of " + capacity + " slots");
        }
        float[] out = new float[batch * seq * heads * d];
        int group = heads / kvHeads;
        FloatBuffer kf = keys.order(ByteOrder.nativeOrder()).asFloatBuffer();
        FloatBuffer vf = values.order(ByteOrder.nativeOrder()).asFloatBuffer();
        ComputePool.forRange(batch * kvHeads, 2L * batch * heads * seq * used * d, (i0, i1) -> {
            float[][] scratch = scratch(used, d);
            float[] p = scratch[0];
            float[] k = scratch[1];
            float[] v = scratch[2];
            for (int i = i0; i < i1; i++) { // i = (b, kv)
                int b = i / kvHeads;
                // one bulk copy per KV head for its group of query heads: the Vector API's loads from a buffer
                // re-check it at every load (about a dozen instructions), and attention does one FMA per load
                kf.get(i * capacity * d, k, 0, used * d);
                vf.get(i * capacity * d, v, 0, used * d);
                for (int h = (i % kvHeads) * group, h1 = h + group; h < h1; h++) {
                    for (int s = 0; s < seq; s++) {
                        KERNEL.row(q, ((b * heads + h) * seq + s) * d, k, v, d, used, scale, softcap, mask,
                                (b * seq + s) * used, p, out, ((b * seq + s) * heads + h) * d);
                    }
                }
            }
        });
        return out;
    }

    /**
     * This thread's scores, keys and values arrays, grown to {@code used} slots: a long context's slots (gemma-2-2b:
     * 4,096 × 256 floats, 4 MB each) would otherwise be allocated, zeroed and collected at every layer of every step.
     */
    private static float[][] scratch(int used, int d) {
        float[][] s = SCRATCH.get();
        if (s[0].length < used || s[1].length < used * d) {
            s = new float[][] {new float[used], new float[used * d], new float[used * d]};
            SCRATCH.set(s);
        }
        return s;
    }

    /**
     * Two slots, d = 3, against the sums written out: a Vector API this code was not compiled against fails here
     * rather than in a decode step.
     */
    private static void selfTest(Kernel k) {
        float[] keys = {1, 0, 0, 0, 1, 0};
        float[] values = {0, 1, 2, 3, 4, 5};
        float[] out = new float[3];
        // scores 0 and ln 3 after the scale: weights 1/4 and 3/4
        k.row(new float[] {0f, (float) Math.log(3), 0f}, 0, keys, values, 3, 2, 1f, 0f, new float[2], 0, new float[2],
                out, 0);
        float[] want = {0.25f * 0 + 0.75f * 3, 0.25f * 1 + 0.75f * 4, 0.25f * 2 + 0.75f * 5};
        for (int c = 0; c < 3; c++) {
            if (Math.abs(out[c] - want[c]) > 1e-5f) {
                throw new IllegalStateException("vector attention kernel: " + java.util.Arrays.toString(out));
            }
        }
    }
}
