package ai.t2l.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link CachedAttention} against the attention written out in double precision. */
class CachedAttentionKernelTest {
    /**
     * Grouped heads, several query positions, a cache with unused slots past {@code used}, masked keys (one row all
     * masked but its last key), widths with a tail past the vectors, and soft-capping strong enough to matter.
     */
    @ParameterizedTest(name = "b={0} heads={1}/{2} seq={3} d={4} used={5}/{6} softcap={7}")
    @CsvSource({"2, 12, 4, 1, 64, 37, 40, 0", "1, 8, 4, 3, 256, 9, 16, 2", "3, 4, 4, 2, 12, 5, 5, 0.5",
            "1, 2, 1, 1, 7, 130, 131, 0", "8, 12, 4, 1, 64, 160, 192, 0"})
    void matchesTheAttentionWrittenOut(int batch, int heads, int kvHeads, int seq, int d, int used, int capacity,
            float softcap) {
        assumeTrue(CachedAttention.available(), "no Vector API in this JVM");
        SplittableRandom r = new SplittableRandom(batch * 31L + d);
        float[] q = gaussian(r, batch * heads * seq * d);
        float[] k = gaussian(r, batch * kvHeads * capacity * d);
        float[] v = gaussian(r, batch * kvHeads * capacity * d);
        float[] mask = new float[batch * seq * used];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = r.nextInt(4) == 0 ? -1e30f : 0f;
        }
        for (int j = 0; j < used; j++) {
            mask[j] = j < used - 1 ? -1e30f : 0f; // query (0, 0) sees only the last key
        }
        float scale = (float) (1 / Math.sqrt(d));
        float[] got = CachedAttention.attend(q, batch, heads, seq, d, direct(k), direct(v), kvHeads, capacity, used,
                mask, scale, softcap);
        int group = heads / kvHeads;
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                int kv = (b * kvHeads + h / group) * capacity * d;
                for (int s = 0; s < seq; s++) {
                    double[] p = new double[used];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < used; j++) {
                        double dot = 0;
                        for (int c = 0; c < d; c++) {
                            dot += (double) q[((b * heads + h) * seq + s) * d + c] * k[kv + j * d + c];
                        }
                        double x = dot * scale;
                        if (softcap != 0) {
                            x = softcap * Math.tanh(x / softcap);
                        }
                        p[j] = x + mask[(b * seq + s) * used + j];
                        max = Math.max(max, p[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < used; j++) {
                        p[j] = Math.exp(p[j] - max);
                        sum += p[j];
                    }
                    for (int c = 0; c < d; c++) {
                        double want = 0;
                        for (int j = 0; j < used; j++) {
                            want += p[j] / sum * v[kv + j * d + c];
                        }
                        float at = got[((b * seq + s) * heads + h) * d + c];
                        assertEquals(want, at, 2e-5 * (1 + Math.abs(want)), "b " + b + " head " + h + " query " + s
                                + " lane " + c);
                    }
                }
            }
        }
        assertEquals(v[(used - 1) * d], got[0], 1e-6, "a query that sees one key takes its value");
    }

    @org.junit.jupiter.api.Test
    void refusesInconsistentSizesNamingThem() {
        assumeTrue(CachedAttention.available(), "no Vector API in this JVM");
        ByteBuffer cache = direct(new float[2 * 4 * 8]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CachedAttention.attend(
                new float[16], 1, 2, 1, 8, cache, cache, 2, 4, 5, new float[5], 1f, 0f));
        assertTrue(e.getMessage().contains("5 of 4 cache slots"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CachedAttention.attend(new float[16], 1, 2, 1, 8, cache,
                cache, 2, 4, 4, new float[3], 1f, 0f));
        assertTrue(e.getMessage().contains("mask 3"), e.getMessage());
    }

    private static float[] gaussian(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble(-1, 1) * 2);
        }
        return a;
    }

    private static ByteBuffer direct(float[] a) {
        ByteBuffer b = ByteBuffer.allocateDirect(4 * a.length).order(ByteOrder.nativeOrder());
        b.asFloatBuffer().put(a);
        return b;
    }
}
