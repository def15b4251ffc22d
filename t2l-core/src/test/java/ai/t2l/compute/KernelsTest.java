package ai.t2l.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.Half;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The 16/8-bit kernels against a float64 reference computed from the same stored values: every batch size the
 * kernels special-case (1, the group of 4, remainders), widths with and without vector tails, both paths of
 * {@link PackedMatrix} (skinny kernels, tiles + engine GEMM), and both implementations (Vector API, plain Java).
 */
class KernelsTest {
    private static final double TOL = 2e-5; // relative to sum |w·x|: float32 accumulation of up to 1000 terms

    @Test
    void theVectorApiIsActiveInTheTestJvm() {
        // surefire's argLine adds jdk.incubator.vector; without it the fast kernels would silently be skipped
        assertEquals("VectorKernels", Kernels.best().getClass().getSimpleName());
    }

    @ParameterizedTest(name = "{0}: {1} rows x {2} cols, batch {3}")
    @CsvSource({"bf16,37,64,1", "bf16,37,64,4", "bf16,21,160,9", "bf16,13,50,3", "bf16,9,33,5", "f16,37,64,1",
            "f16,21,160,6", "f16,5,47,2", "int8,37,64,1", "int8,21,160,7", "int8,11,96,4", "int8,5,40,2",
            "int8,300,256,1"})
    void kernelsMatchAFloat64Reference(String kind, int rows, int cols, int n) {
        SplittableRandom rng = new SplittableRandom(rows * 31L + cols * 7L + n);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rng.nextGaussian() * (i % 97 == 0 ? 1e-6f : 0.05f); // some tiny (f16 subnormal) values
        }
        float[] x = new float[n * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        PackedMatrix m = build(kind, rows, cols, w);
        float[] stored = m.toFloat().data(); // the values the kernels must use exactly
        for (Kernels k : new Kernels[] {new ScalarKernels(), Kernels.best()}) {
            float[] y = new float[n * rows];
            m.kernel(k, m.prepare(x, n), x, n, y, 0, rows);
            for (int r = 0; r < n; r++) {
                for (int o = 0; o < rows; o++) {
                    double ref = 0;
                    double mag = 0;
                    for (int c = 0; c < cols; c++) {
                        ref += (double) stored[o * cols + c] * x[r * cols + c];
                        mag += Math.abs((double) stored[o * cols + c] * x[r * cols + c]);
                    }
                    double err = Math.abs(y[r * rows + o] - ref);
                    assertTrue(err <= TOL * (mag + 1e-30), kind + " " + k.getClass().getSimpleName() + " row " + r
                            + " out " + o + ": " + y[r * rows + o] + " vs " + ref + " (|diff| " + err + ")");
                }
            }
        }
    }

    /**
     * Every batch size from 1 to 9 (the kernels block four weight rows against four, two or one activation rows),
     * row counts that leave 1-3 rows after the blocks of four, widths with vector tails, and output ranges that
     * start and end off the blocks (as the thread split makes them): each element against the float64 reference.
     */
    @ParameterizedTest(name = "{0}, batch 1..9")
    @CsvSource({"bf16,23,70", "f16,22,166", "int8,23,200", "int8,21,128", "bf16,25,64"})
    void everyBatchSizeAndRangeMatchesTheReference(String kind, int rows, int cols) {
        SplittableRandom rng = new SplittableRandom(rows * 13L + cols);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rng.nextGaussian() * 0.05f;
        }
        PackedMatrix m = build(kind, rows, cols, w);
        float[] stored = m.toFloat().data();
        for (int n = 1; n <= 9; n++) {
            float[] x = new float[n * cols];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rng.nextGaussian();
            }
            Object prepared = m.prepare(x, n);
            float[] y = new float[n * rows];
            int split = 1 + rows / 3; // two ranges, the first ending off a block of four
            m.kernel(Kernels.best(), prepared, x, n, y, 0, split);
            m.kernel(Kernels.best(), prepared, x, n, y, split, rows);
            for (int r = 0; r < n; r++) {
                for (int o = 0; o < rows; o++) {
                    double ref = 0;
                    double mag = 0;
                    for (int c = 0; c < cols; c++) {
                        ref += (double) stored[o * cols + c] * x[r * cols + c];
                        mag += Math.abs((double) stored[o * cols + c] * x[r * cols + c]);
                    }
                    double err = Math.abs(y[r * rows + o] - ref);
                    assertTrue(err <= TOL * (mag + 1e-30), kind + " batch " + n + " row " + r + " out " + o + ": "
                            + y[r * rows + o] + " vs " + ref + " (|diff| " + err + ")");
                }
            }
        }
    }

    /**
     * The prefill path (weight rows widened into panels in pair/quad order, activations permuted alike, a blocked
     * float kernel over all rows): activation rows 1..40, weight row counts that leave 1-3 rows after the blocks of
     * four and after a panel, odd widths and vector tails, and widths past {@link PanelOrder#MAX_CHUNK} that are cut
     * into column chunks (4296 = two chunks of 2176 and 2120; 8193 = three, the last with an odd tail), for both
     * kernel implementations, each element against the float64 reference of the stored values.
     */
    @ParameterizedTest(name = "{0}: {1} x {2}, panel path, rows 1..40")
    @CsvSource({"bf16,27,96", "bf16,9,33", "f16,13,50", "int8,27,200", "int8,6,40", "bf16,7,4296", "int8,7,4296",
            "bf16,5,8193", "int8,5,8193"})
    void panelPathMatchesTheReferenceForOneToFortyRows(String kind, int rows, int cols) {
        SplittableRandom rng = new SplittableRandom(rows * 17L + cols);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rng.nextGaussian() * 0.05f;
        }
        PackedMatrix m = build(kind, rows, cols, w);
        float[] stored = m.toFloat().data();
        int[] ns = cols > 1000 ? new int[] {1, 3, 4, 5, 8, 13, 40} : java.util.stream.IntStream.rangeClosed(1, 40).toArray();
        for (int n : ns) {
            float[] x = new float[n * cols];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rng.nextGaussian();
            }
            for (Kernels k : new Kernels[] {new ScalarKernels(), Kernels.best()}) {
                float[] y = new float[n * rows];
                m.panelProduct(k, x, n, y);
                for (int r = 0; r < n; r++) {
                    for (int o = 0; o < rows; o++) {
                        double ref = 0;
                        double mag = 0;
                        for (int c = 0; c < cols; c++) {
                            ref += (double) stored[o * cols + c] * x[r * cols + c];
                            mag += Math.abs((double) stored[o * cols + c] * x[r * cols + c]);
                        }
                        double err = Math.abs(y[r * rows + o] - ref);
                        assertTrue(err <= TOL * (mag + 1e-30), kind + " " + k.getClass().getSimpleName() + " n " + n
                                + " row " + r + " out " + o + ": " + y[r * rows + o] + " vs " + ref);
                    }
                }
            }
        }
    }

    /** Panels are as tall as fit the cache budget, a multiple of the kernel's four rows, never fewer than four. */
    @Test
    void panelHeightIsAMultipleOfFour() {
        for (int cols : new int[] {1, 33, 2048, 2304, 3072, 4096, 100_000}) {
            int h = PackedMatrix.panelHeight(cols);
            assertTrue(h >= 4 && h % 4 == 0, cols + " -> " + h);
        }
        assertEquals(4096, PanelOrder.chunk(4096));
        assertEquals(3072, PanelOrder.chunk(9216)); // gemma-2-2b down projection: three chunks
        assertEquals(3584, PanelOrder.chunk(14336)); // Mistral-7B / Llama-3.1-8B down projection: four
    }

    /** The NaN/infinity scan finds the first bad value wherever it sits: in a vector group, at its edges, in the tail. */
    @Test
    void nonFiniteScanFindsTheFirstBadValueAnywhere() {
        int n = 203; // three 32-value groups of 512-bit vectors and a tail
        for (boolean f16 : new boolean[] {false, true}) {
            short inf = f16 ? (short) 0x7C00 : (short) 0x7F80;
            short nan = f16 ? (short) 0xFE01 : (short) 0xFFC1;
            for (int at : new int[] {0, 1, 30, 31, 32, 33, 63, 64, 95, 96, 150, 202}) {
                ByteBuffer b = ByteBuffer.allocateDirect(2 * n).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    b.putShort(2 * i, (short) (f16 ? 0x7BFF : 0x7F7F)); // the largest finite values
                }
                b.putShort(2 * at, at % 2 == 0 ? inf : nan);
                if (at + 7 < n) {
                    b.putShort(2 * (at + 7), inf); // a later one must not be reported
                }
                for (Kernels k : new Kernels[] {new ScalarKernels(), Kernels.best()}) {
                    assertEquals(2 * at, k.firstNonFiniteHalf(b, 0, 2 * n, f16),
                            k.getClass().getSimpleName() + (f16 ? " f16" : " bf16") + " bad value at " + at);
                    assertEquals(-1, k.firstNonFiniteHalf(b, 2 * at + 2, 2 * Math.min(n, at + 7), f16),
                            "a range without bad values");
                }
            }
        }
    }

    /** Float32 memory of n values, seeded: Gaussians times {@code scale}, every eleventh value tiny. */
    private static ByteBuffer seeded(SplittableRandom rnd, int n, double scale) {
        ByteBuffer b = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder());
        for (int i = 0; i < n; i++) {
            b.putFloat(4 * i, (float) (rnd.nextGaussian() * (i % 11 == 0 ? 1e-6 : scale)));
        }
        return b;
    }

    /**
     * The vector AdamW update gives the plain-Java one's values bit for bit (same float32 operations, each rounded,
     * correctly rounded square roots and divisions), over whole vectors and a ragged tail, three steps in a row.
     */
    @Test
    void adamWKernelsAgreeBitForBit() {
        int n = 16 * 37 + 5;
        SplittableRandom rnd = new SplittableRandom(11);
        ByteBuffer p0 = seeded(rnd, n, 1);
        ByteBuffer[] p = {copy(p0), copy(p0)};
        ByteBuffer[] m = {ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()), null};
        ByteBuffer[] v = {ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()), null};
        m[1] = copy(m[0]);
        v[1] = copy(v[0]);
        Kernels[] kernels = {new ScalarKernels(), Kernels.best()};
        for (int step = 1; step <= 3; step++) {
            ByteBuffer g = seeded(rnd, n, 0.1);
            AdamWStep s = new AdamWStep(step == 2 ? 0.37f : 1f, 0.1f, 0.999f, (float) (1 - 0.999), (float) (1 - 1e-3 * 0.01),
                    (float) Math.sqrt(1 - Math.pow(0.999, step)), 1e-8f, (float) (-1e-3 / (1 - Math.pow(0.9, step))));
            for (int k = 0; k < 2; k++) {
                kernels[k].adamW(p[k], g, m[k], v[k], 0, n, s);
            }
            for (int i = 0; i < n; i++) {
                for (ByteBuffer[] b : new ByteBuffer[][] {p, m, v}) {
                    assertEquals(Float.floatToRawIntBits(b[0].getFloat(4 * i)),
                            Float.floatToRawIntBits(b[1].getFloat(4 * i)), "step " + step + " value " + i);
                }
            }
        }
        assertTrue(p[0].getFloat(0) != p0.getFloat(0), "the update moved the parameters");
    }

    /**
     * The L1 step gives the same bits from both kernels: signs (zeros of either sign give +0, NaN gives ±scale), the
     * sums' additions, over whole vectors and a ragged tail, from an offset.
     */
    @Test
    void l1SignKernelsAgreeBitForBit() {
        int n = 8 * 37 + 5;
        SplittableRandom rnd = new SplittableRandom(13);
        float[] v = new float[n];
        float[] t = new float[n + 3];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
            t[i + 3] = i % 5 == 0 ? v[i] : (float) rnd.nextGaussian();
        }
        v[7] = -0f;
        t[10] = 0f;
        v[11] = Float.NaN;
        ByteBuffer p = ByteBuffer.allocateDirect(4 * (n + 2)).order(ByteOrder.nativeOrder());
        p.asFloatBuffer().put(2, v);
        ByteBuffer[] out = new ByteBuffer[2];
        float[][] acc = {new float[n], new float[n]};
        Kernels[] kernels = {new ScalarKernels(), Kernels.best()};
        for (int k = 0; k < 2; k++) {
            out[k] = ByteBuffer.allocateDirect(4 * (n + 2)).order(ByteOrder.nativeOrder());
            Arrays.fill(acc[k], 0.25f);
            kernels[k].l1Sign(p, out[k], 2, t, 3, 1, n, 0.125f, acc[k]);
        }
        for (int i = 0; i < n + 2; i++) {
            assertEquals(out[0].getInt(4 * i), out[1].getInt(4 * i), "sign " + i);
        }
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToRawIntBits(acc[0][i]), Float.floatToRawIntBits(acc[1][i]), "sum " + i);
        }
        assertEquals(0, out[0].getInt(4 * 2), "before from: untouched");
        assertEquals(0f, out[0].getFloat(4 * (2 + 5)), "equal: +0");
        assertEquals(Float.floatToRawIntBits(0f), out[0].getInt(4 * (2 + 7)), "-0 − 0: +0");
        assertEquals(0.125f, Math.abs(out[0].getFloat(4 * (2 + 11))), "NaN: ±scale");
        assertEquals(-0.125f * Math.signum(t[4 + 3] - v[4]), out[0].getFloat(4 * (2 + 4)));
        assertEquals(0.25f + Math.abs(v[4] - t[7]), acc[0][4]);
    }

    /**
     * SiLU gives the same bits from the Vector API kernel and the plain-Java one, whatever the JIT has compiled (the
     * Vector API's EXP did not: generation's adapters changed after warm-up), over ordinary values, the ends of
     * {@link Exp}'s range, beyond it, zeros and NaN; and {@link Exp#exp} stays within 2 ulp of Math.exp.
     */
    @Test
    void siluKernelsAgreeBitForBitAndExpIsAccurate() {
        SplittableRandom rnd = new SplittableRandom(5);
        float[] special = {0f, -0f, 1e-30f, -1e-30f, Exp.LO, Exp.HI, -Exp.LO, -Exp.HI, Math.nextDown(Exp.LO),
            Math.nextUp(Exp.HI), 100f, -100f, 1000f, -1000f, Float.MAX_VALUE, -Float.MAX_VALUE, Float.NaN,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        int n = VectorKernels.SILU_VECTOR_MIN + 16 * 7 + 7; // from this many values the vector form runs
        ByteBuffer[] b = {ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()),
            ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder())};
        float[][] a = {new float[n], new float[n]};
        for (int i = 0; i < n; i++) {
            float x = i < special.length ? special[i] : (float) (rnd.nextDouble(-95, 95));
            b[0].putFloat(4 * i, x);
            b[1].putFloat(4 * i, x);
            a[0][i] = x;
            a[1][i] = x;
        }
        new ScalarKernels().silu(b[0], 0, n);
        Kernels.best().silu(b[1], 0, n);
        new ScalarKernels().silu(a[0], 0, n);
        Kernels.best().silu(a[1], 0, n);
        for (int i = 0; i < n; i++) {
            // floatToIntBits: a NaN is a NaN, whichever sign bit the hardware gave it
            int want = Float.floatToIntBits(b[0].getFloat(4 * i));
            assertEquals(want, Float.floatToIntBits(b[1].getFloat(4 * i)), "silu value " + i);
            assertEquals(want, Float.floatToIntBits(a[0][i]), "silu value " + i + ", plain Java on an array");
            assertEquals(want, Float.floatToIntBits(a[1][i]), "silu value " + i + ", on an array");
        }
        assertEquals(-0f, b[0].getFloat(4 * 15), "silu(-MAX) is -0, not a finite product with a clamped exponential");
        for (int i = 0; i < 200_000; i++) {
            float x = (float) rnd.nextDouble(Exp.LO, Exp.HI);
            float want = (float) Math.exp(x);
            float got = Exp.exp(x);
            assertTrue(Math.abs(got - want) <= 2 * Math.ulp(want), "exp(" + x + "): " + got + " vs " + want);
        }
    }

    /** GELU (tanh form): the Vector API and plain kernels give the same bits, over ordinary and extreme values. */
    @Test
    void geluKernelsAgreeBitForBit() {
        SplittableRandom rnd = new SplittableRandom(6);
        float[] special = {0f, -0f, 1e-30f, -1e-30f, -5f, -10f, -20f, 20f, 100f, -100f, 1e13f, -1e13f, Float.MAX_VALUE,
            -Float.MAX_VALUE, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        int n = VectorKernels.SILU_VECTOR_MIN + 16 * 7 + 7; // from this many values the vector form runs
        ByteBuffer[] b = twoCopies(special, n, rnd, 4);
        new ScalarKernels().geluTanh(b[0], 0, n);
        Kernels.best().geluTanh(b[1], 0, n);
        assertSameBits(b, n, "gelu");
        assertEquals(Float.MAX_VALUE, b[0].getFloat(4 * 12), "gelu(MAX) = MAX: x³ overflows, the sigmoid is 1");
        assertEquals(-0f, b[0].getFloat(4 * 13), "gelu(-MAX) = -0");
    }

    /**
     * Soft-capping: the Vector API and plain kernels give the same bits over ordinary and extreme values; the limits
     * are ±cap and NaN stays NaN.
     */
    @Test
    void softcapKernelsAgreeBitForBit() {
        SplittableRandom rnd = new SplittableRandom(8);
        float cap = 30f;
        float[] special = {0f, -0f, 1e-30f, -1e-30f, 1e13f, -1e13f, Float.MAX_VALUE, -Float.MAX_VALUE, Float.NaN,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 29.9f, -300f};
        int n = VectorKernels.SILU_VECTOR_MIN + 16 * 5 + 3; // from this many values the vector form runs
        ByteBuffer[] b = twoCopies(special, n, rnd, 40);
        new ScalarKernels().softcap(b[0], 0, n, cap, n);
        Kernels.best().softcap(b[1], 0, n, cap, n);
        assertSameBits(b, n, "softcap");
        assertEquals(cap, b[0].getFloat(4 * 4), "softcap(1e13) = cap");
        assertEquals(-cap, b[0].getFloat(4 * 5), "softcap(-1e13) = -cap");
        assertEquals(cap, b[0].getFloat(4 * 9), "softcap(+inf) = cap");
        assertEquals(-cap, b[0].getFloat(4 * 10), "softcap(-inf) = -cap");
        assertTrue(Float.isNaN(b[0].getFloat(4 * 8)), "softcap(NaN) is NaN");
        assertEquals(0f, b[0].getFloat(0), 2 * Math.ulp(cap), "softcap(0) = 0 up to the subtraction of cap");
    }

    /** {@link Softcap#inPlace} refuses a cap that is not a positive finite number, and more values than its buffer. */
    @Test
    void softcapRefusesABadCapOrCount() {
        ByteBuffer b = ByteBuffer.allocateDirect(4 * 8).order(ByteOrder.nativeOrder());
        for (float cap : new float[] {0f, -1f, Float.NaN, Float.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Softcap.inPlace(b, 8, cap));
            assertTrue(e.getMessage().contains("positive finite") && e.getMessage().contains(String.valueOf(cap)),
                    e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Softcap.inPlace(b, 9, 30f));
        assertTrue(e.getMessage().contains("9 floats in a buffer of 32 bytes"), e.getMessage());
    }

    /** Two direct buffers of n equal values: {@code special} first, then Gaussians of deviation {@code sigma}. */
    private static ByteBuffer[] twoCopies(float[] special, int n, SplittableRandom rnd, double sigma) {
        ByteBuffer[] b = {ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()),
            ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder())};
        for (int i = 0; i < n; i++) {
            float x = i < special.length ? special[i] : (float) (rnd.nextGaussian() * sigma);
            b[0].putFloat(4 * i, x);
            b[1].putFloat(4 * i, x);
        }
        return b;
    }

    private static void assertSameBits(ByteBuffer[] b, int n, String what) {
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToIntBits(b[0].getFloat(4 * i)), Float.floatToIntBits(b[1].getFloat(4 * i)),
                    what + " value " + i);
        }
    }

    private static ByteBuffer copy(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocateDirect(b.capacity()).order(ByteOrder.nativeOrder());
        c.put(b.duplicate().clear());
        return c.clear();
    }

    @Test
    void softmaxKernelsAgreeWithEachOtherAndWithDoubleArithmetic() {
        SplittableRandom rnd = new SplittableRandom(9);
        int n = 16 * 500 + 3; // a vocabulary-sized row with a tail
        ByteBuffer x = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder());
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float v = (float) (rnd.nextGaussian() * 4);
            x.putFloat(4 * i, v);
            max = Math.max(max, v);
        }
        double sumExp = 0;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sumExp += Math.exp(x.getFloat(4 * i) - max);
            sum += x.getFloat(4 * i);
        }
        float[][] stats = new float[2][3];
        ByteBuffer[] out = new ByteBuffer[2];
        Kernels[] kernels = {new ScalarKernels(), Kernels.best()};
        for (int k = 0; k < 2; k++) {
            kernels[k].softmaxStats(x, 0, n, stats[k]);
            assertEquals(max, stats[k][0], 0.0);
            assertEquals(sumExp, stats[k][1], 1e-4 * sumExp); // float32 sums of 8,003 terms
            assertEquals(sum, stats[k][2], 1e-4 * n);
            out[k] = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder());
            kernels[k].scaledExp(x, out[k], 0, n, 1.5f, 0.25f, 0.125f);
        }
        for (int i = 0; i < n; i++) { // the same exponential, operation for operation: the same bits
            assertEquals(out[0].getFloat(4 * i), out[1].getFloat(4 * i), 0.0, "value " + i);
            assertEquals(0.25 * Math.exp(x.getFloat(4 * i) - 1.5) - 0.125, out[1].getFloat(4 * i),
                    1e-6 * (1 + Math.exp(x.getFloat(4 * i) - 1.5)));
        }
    }

    @Test
    void float32ScanFindsTheFirstNanOrInfinityWhereverItIs() {
        int n = 1000; // four whole groups of 256 for the vector scan, and a tail
        float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (int at : new int[] {0, 15, 16, 255, 256, 700, 1023 - 24, n - 1}) {
            for (float b : bad) {
                float[] x = new float[n];
                for (int i = 0; i < n; i++) {
                    x[i] = (i % 7 - 3) * 1e30f; // large but finite: x - x is still 0
                }
                x[at] = b;
                if (at + 3 < n) {
                    x[at + 3] = Float.NaN; // a later one must not be reported
                }
                for (Kernels k : new Kernels[] {new ScalarKernels(), Kernels.best()}) {
                    String what = k.getClass().getSimpleName() + " " + b + " at " + at;
                    assertEquals(at, k.firstNonFinite(x, 0, n), what);
                    assertEquals(-1, k.firstNonFinite(x, 0, at), what + ": the range before it");
                    assertEquals(at, ai.t2l.compute.FloatScan.firstNonFinite(x), what + ": FloatScan");
                }
            }
        }
        assertEquals(-1, Kernels.best().firstNonFinite(new float[n], 0, n));
        assertEquals(-1, FloatScan.firstNonFinite(new float[] {Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE}));
    }

    @Test
    void storedValuesAreTheFileValues() {
        float[] w = {1.5f, -2.25f, 3.0e-6f, 65504f, -0.0f, 1e-8f};
        assertEquals(Float.intBitsToFloat((Float.floatToRawIntBits(3.0e-6f) + 0x7FFF) >>> 16 << 16),
                build("bf16", 2, 3, w).toFloat().data()[2], 0f, "bf16 rounding to nearest even");
        float[] f16 = build("f16", 2, 3, w).toFloat().data();
        for (int i = 0; i < w.length; i++) {
            assertEquals(Half.toFloat(Half.fromFloat(w[i])), f16[i], 0f, "f16 value " + i);
        }
        float[] q = build("int8", 2, 3, w).toFloat().data();
        assertEquals(1.5f, q[0], 2.25f / 127 / 2 + 1e-7, "int8 within half a step of the row-block's scale");
    }

    @Test
    void tiledGemmAndPanelPathsEqualSkinnyKernels() {
        SplittableRandom rng = new SplittableRandom(5);
        int rows = 70;
        int cols = 96;
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rng.nextGaussian() * 0.1f;
        }
        int saved = PackedMatrix.gemmRows;
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            for (String kind : new String[] {"bf16", "int8"}) {
                PackedMatrix pm = build(kind, rows, cols, w);
                float[] xs = new float[2 * 5 * cols];
                for (int i = 0; i < xs.length; i++) {
                    xs[i] = (float) rng.nextGaussian();
                }
                NDArray x = m.create(xs, new Shape(2, 5, cols));
                NDArray bias = m.create(new float[rows]).add(0.5f);
                PackedMatrix.gemmRows = 1_000_000;
                float[] skinny = pm.multiply(x, bias).toFloatArray();
                PackedMatrix.gemmRows = 1_000_000;
                int savedHalf = HalfMatrix.PANEL_FROM_HALF;
                int savedInt8 = Int8Matrix.PANEL_FROM_INT8;
                HalfMatrix.PANEL_FROM_HALF = 1;
                Int8Matrix.PANEL_FROM_INT8 = 1;
                float[] panel = pm.multiply(x, bias).toFloatArray();
                HalfMatrix.PANEL_FROM_HALF = savedHalf;
                Int8Matrix.PANEL_FROM_INT8 = savedInt8;
                for (int i = 0; i < panel.length; i++) {
                    assertEquals(skinny[i], panel[i], 1e-4, kind + " panel element " + i);
                }
                PackedMatrix.gemmRows = 1;
                Int8Matrix.TILES_FROM_INT8 = 1;
                NDArray tiled = pm.multiply(x, bias);
                Int8Matrix.TILES_FROM_INT8 = Integer.MAX_VALUE;
                assertEquals(new Shape(2, 5, rows), tiled.getShape());
                float[] t = tiled.toFloatArray();
                for (int i = 0; i < t.length; i++) {
                    assertEquals(skinny[i], t[i], 1e-4, kind + " element " + i);
                }
            }
        } finally {
            PackedMatrix.gemmRows = saved;
            Int8Matrix.TILES_FROM_INT8 = Integer.MAX_VALUE;
        }
    }

    /**
     * Products must not leave Java direct buffers for the garbage collector (DJL's create(float[]) does): with one
     * per weight tile and per output, a gemma-2-2b bf16 run peaked at 13.97 GB RSS for 5.23 GB of weights.
     */
    @Test
    void productsLeaveNoDirectBuffersBehind() {
        java.lang.management.BufferPoolMXBean direct = java.lang.management.ManagementFactory
                .getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
        int rows = 256;
        int cols = 1024; // one tile of 1 MB of float32 per prefill product
        PackedMatrix pm = build("bf16", rows, cols, new float[rows * cols]);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray prefill = m.zeros(new Shape(40, cols)); // tiles + GEMM
            NDArray decode = m.zeros(new Shape(2, cols)); // skinny kernels
            pm.multiply(prefill, null).close(); // the per-thread staging buffers exist from here on
            pm.multiply(decode, null).close();
            long before = direct.getMemoryUsed();
            for (int i = 0; i < 50; i++) {
                pm.multiply(prefill, null).close();
                pm.multiply(decode, null).close();
            }
            long grown = direct.getMemoryUsed() - before;
            assertTrue(grown < 4 << 20, "50 products left " + grown + " bytes of direct buffers (1 MB tile each)");
        }
    }

    static PackedMatrix build(String kind, int rows, int cols, float[] w) {
        FloatTensor t = new FloatTensor(w, new long[] {rows, cols});
        switch (kind) {
            case "bf16":
                return HalfMatrix.roundedToBf16(t);
            case "f16": {
                ByteBuffer buf = ByteBuffer.allocate(2 * w.length).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < w.length; i++) {
                    buf.putShort(2 * i, Half.fromFloat(w[i]));
                }
                return HalfMatrix.mapped(rows, cols, true, (off, len) -> buf.slice((int) off, (int) len));
            }
            default:
                return Int8Matrix.quantize(rows, cols, (r, dst) -> System.arraycopy(w, r * cols, dst, 0, cols));
        }
    }
}
