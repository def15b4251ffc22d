package ai.t2l.compute;

/**
 * The two loops that measure what this machine's cores can do ({@link MachinePeaks}): independent chains of float32
 * fused multiply-adds held in registers (the arithmetic ceiling of every product kernel), and a sum streamed from an
 * array (the memory-read ceiling of decode). {@link VectorPeakProbe} when the Vector API runs, else {@link #PLAIN}:
 * each measures the instructions the kernels of that JVM would use.
 */
interface PeakProbe {
    /** Independent chains per thread: more than an FMA unit's latency × units (4 × 2 on Zen 3 and Skylake-X). */
    int CHAINS = 12;

    /** Float lanes per chain: the vector width in floats, 1 for plain Java. */
    int lanes();

    /**
     * {@code steps} rounds of one fused multiply-add on each of {@link #CHAINS} chains of {@link #lanes()} floats,
     * starting from {@code seed}; returns a value that depends on every chain (so the JIT keeps them).
     */
    float chains(long steps, float seed);

    /** Σ a[from, to), in the probe's own order. */
    float sum(float[] a, int from, int to);

    PeakProbe PLAIN = new PeakProbe() {
        @Override
        public int lanes() {
            return 1;
        }

        @Override
        public float chains(long steps, float seed) {
            float m = 0.999999f;
            float c = 1e-7f;
            float a0 = seed, a1 = seed + 1, a2 = seed + 2, a3 = seed + 3, a4 = seed + 4, a5 = seed + 5;
            float a6 = seed + 6, a7 = seed + 7, a8 = seed + 8, a9 = seed + 9, a10 = seed + 10, a11 = seed + 11;
            for (long i = 0; i < steps; i++) {
                a0 = Math.fma(a0, m, c);
                a1 = Math.fma(a1, m, c);
                a2 = Math.fma(a2, m, c);
                a3 = Math.fma(a3, m, c);
                a4 = Math.fma(a4, m, c);
                a5 = Math.fma(a5, m, c);
                a6 = Math.fma(a6, m, c);
                a7 = Math.fma(a7, m, c);
                a8 = Math.fma(a8, m, c);
                a9 = Math.fma(a9, m, c);
                a10 = Math.fma(a10, m, c);
                a11 = Math.fma(a11, m, c);
            }
            return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
        }

        @Override
        public float sum(float[] a, int from, int to) {
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int i = from;
            for (; i + 4 <= to; i += 4) {
                s0 += a[i];
                s1 += a[i + 1];
                s2 += a[i + 2];
                s3 += a[i + 3];
            }
            for (; i < to; i++) {
                s0 += a[i];
            }
            return (s0 + s1) + (s2 + s3);
        }
    };

    /** The probe of this JVM's kernels. */
    static PeakProbe best() {
        return Holder.BEST;
    }

    final class Holder {
        static final PeakProbe BEST = choose();

        private static PeakProbe choose() {
            PeakProbe p = VectorApi.load(PeakProbe.class, "ai.t2l.compute.VectorPeakProbe", k -> {
                k.chains(3, 1f);
                k.sum(new float[100], 3, 97);
            });
            return p != null ? p : PLAIN;
        }

        private Holder() {}
    }
}
