package ai.t2l.compute;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An unmerged LoRA term, scaling · B(A x), for a few activation rows on Java arrays: one per adapted projection of a
 * {@code lora.LoraBatch} that owns its adapters. In decode the engine's form (two transposed views, two batched
 * matMuls, a product with the scaling) was about seven ops for some 12 k multiply-adds per adapter and row; this form
 * took a §2 batch-1 step with q/v adapters from 14.9–15.8 to 14.1–14.7 ms (BENCHMARKS.md, issue 16, twenty-fourth
 * session). Here both products run on {@link F32Kernel}, float32 sums in its order, then the scaling: the same values
 * as the engine's up to float rounding. The copies are heap buffers: a server builds adapters per request, and
 * direct ones would be freed only when a collection finds them.
 */
public final class LowRankDelta {
    private final int rank;
    private final int in;
    private final int out;
    private final ByteBuffer[] a; // per adapter: A (rank, in), row-major, native order
    private final ByteBuffer[] b; // per adapter: B (out, rank)
    private final float[] scaling;

    /**
     * @param a (adapters, rank, in) row-major
     * @param b (adapters, out, rank) row-major
     * @param scaling one per adapter
     */
    public LowRankDelta(float[] a, float[] b, float[] scaling, int adapters, int rank, int in, int out) {
        if (a.length != (long) adapters * rank * in || b.length != (long) adapters * out * rank
                || scaling.length != adapters) {
            throw new IllegalArgumentException("LoRA term: A holds " + a.length + ", B " + b.length + " and the "
                    + "scalings " + scaling.length + " values for " + adapters + " adapters of rank " + rank + ", "
                    + in + " -> " + out);
        }
        this.rank = rank;
        this.in = in;
        this.out = out;
        this.a = new ByteBuffer[adapters];
        this.b = new ByteBuffer[adapters];
        for (int i = 0; i < adapters; i++) {
            this.a[i] = buffer(a, i * rank * in, rank * in);
            this.b[i] = buffer(b, i * out * rank, out * rank);
        }
        this.scaling = scaling.clone();
    }

    /** Whether the vector kernel runs here (otherwise the engine's ops are faster: callers keep them). */
    public static boolean available() {
        return F32Kernel.fast();
    }

    /**
     * scaling · B(A x) for x (batch, seq, in) row-major: batch row i uses adapter i, or adapter 0 for every row when
     * there is one; (batch, seq, out) row-major.
     */
    public float[] delta(float[] x, int batch, int seq) {
        int adapters = scaling.length;
        if (x.length != (long) batch * seq * in || (adapters != 1 && adapters != batch)) {
            throw new IllegalArgumentException("LoRA term: x holds " + x.length + " values for " + batch + " x " + seq
                    + " x " + in + ", with " + adapters + " adapters");
        }
        F32Kernel k = F32Kernel.best();
        float[] y = new float[batch * seq * out];
        int n = adapters == 1 ? batch * seq : seq; // activation rows per adapter
        float[] xs = adapters == 1 ? x : new float[n * in];
        float[] ax = new float[n * rank];
        float[] d = new float[n * out];
        for (int i = 0; i < adapters; i++) {
            if (xs != x) {
                System.arraycopy(x, i * n * in, xs, 0, n * in); // batch row i's positions
            }
            k.rows(a[i], in, xs, n, ax, rank, 0, rank);
            k.rows(b[i], rank, ax, n, d, out, 0, out);
            float s = scaling[i];
            for (int j = 0; j < n * out; j++) {
                y[i * n * out + j] = d[j] * s; // B(Ax), then the scaling, as the engine's product
            }
        }
        return y;
    }

    private static ByteBuffer buffer(float[] v, int from, int length) {
        ByteBuffer buf = ByteBuffer.allocate(4 * length).order(ByteOrder.nativeOrder());
        buf.asFloatBuffer().put(v, from, length);
        return buf;
    }
}
