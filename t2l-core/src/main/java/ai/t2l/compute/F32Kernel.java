package ai.t2l.compute;

import java.nio.ByteBuffer;

/**
 * The inner loop of a skinny float32 product y = x·Wᵀ for a few activation rows (decode: 1; batched decode: up to
 * a few dozen), with W read in place from engine memory: each weight row is streamed from memory once per call and
 * used for every activation row while it sits in L1. {@link VectorF32Kernel} when the Vector API module is present
 * and works, else {@link #SCALAR} (plain Java, for tests and the reference; slower than the engine, so
 * {@link F32Matrix} keeps the engine's product when {@link #fast()} is false). Float32 accumulation.
 */
interface F32Kernel {
    /**
     * y[r·yStride + o] = Σ_c W[o][c]·x[r·cols + c] for o in [o0, o1), r in [0, n). W is row-major float32 in native
     * byte order: row o starts at byte o·cols·4 of {@code w}.
     */
    void rows(ByteBuffer w, int cols, float[] x, int n, float[] y, int yStride, int o0, int o1);

    /** The kernel this JVM runs best. */
    static F32Kernel best() {
        return Holder.BEST;
    }

    /** True when {@link #best()} is the vector kernel (the Java path is then worth taking). */
    static boolean fast() {
        return Holder.BEST != SCALAR;
    }

    F32Kernel SCALAR = (w, cols, x, n, y, yStride, o0, o1) -> {
        for (int o = o0; o < o1; o++) {
            int off = o * cols * 4;
            for (int r = 0; r < n; r++) {
                float acc = 0f;
                for (int c = 0; c < cols; c++) {
                    acc = Math.fma(w.getFloat(off + 4 * c), x[r * cols + c], acc);
                }
                y[r * yStride + o] = acc;
            }
        }
    };

    final class Holder {
        static final F32Kernel BEST = choose();

        private static F32Kernel choose() {
            // VectorF32Kernel refuses vectors narrower than 256 bits, where the JIT would emulate them lane by lane
            F32Kernel k = VectorApi.load(F32Kernel.class, "ai.t2l.compute.VectorF32Kernel", Holder::selfTest);
            return k != null ? k : SCALAR;
        }

        /**
         * One small product against the scalar kernel, so that a Vector API this code was not compiled against fails
         * here rather than at the first product.
         */
        private static void selfTest(F32Kernel k) {
            int cols = 37;
            int rows = 6;
            int n = 5;
            ByteBuffer w = ByteBuffer.allocateDirect(4 * rows * cols).order(java.nio.ByteOrder.nativeOrder());
            float[] x = new float[n * cols];
            for (int i = 0; i < rows * cols; i++) {
                w.putFloat(4 * i, (i % 7) - 3);
            }
            for (int i = 0; i < x.length; i++) {
                x[i] = (i % 5) - 2;
            }
            float[] got = new float[n * rows];
            float[] want = new float[n * rows];
            k.rows(w, cols, x, n, got, rows, 0, rows);
            SCALAR.rows(w, cols, x, n, want, rows, 0, rows);
            if (!java.util.Arrays.equals(got, want)) { // small integers: exact in any summation order
                throw new IllegalStateException("vector float32 kernel disagrees with the scalar one");
            }
        }

        private Holder() {}
    }
}
