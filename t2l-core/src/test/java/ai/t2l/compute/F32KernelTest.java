package ai.t2l.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The float32 skinny-product kernels against plain sums and against the engine's product (F32Matrix). */
class F32KernelTest {
    private static float[] gaussian(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    private static ByteBuffer direct(float[] w) {
        ByteBuffer b = ByteBuffer.allocateDirect(4 * w.length).order(ByteOrder.nativeOrder());
        b.asFloatBuffer().put(w);
        return b;
    }

    /** Random shapes with column tails (not multiples of 16), weight-row tails (not of 4) and 1..17 activation rows. */
    @Test
    void bestKernelEqualsDoubleSumsOnRandomShapesWithTails() {
        Random r = new Random(7);
        int[] colsChoices = {1, 3, 15, 16, 17, 31, 48, 64, 100, 257};
        for (int trial = 0; trial < 60; trial++) {
            int cols = colsChoices[trial % colsChoices.length];
            int out = 1 + r.nextInt(13);
            int n = 1 + trial % 17;
            float[] w = gaussian(r, out * cols);
            float[] x = gaussian(r, n * cols);
            int o0 = r.nextInt(out);
            int o1 = o0 + 1 + r.nextInt(out - o0);
            float[] y = new float[n * out];
            F32Kernel.best().rows(direct(w), cols, x, n, y, out, o0, o1);
            for (int i = 0; i < n; i++) {
                for (int o = 0; o < out; o++) {
                    double want = 0;
                    for (int c = 0; c < cols; c++) {
                        want += (double) w[o * cols + c] * x[i * cols + c];
                    }
                    if (o < o0 || o >= o1) {
                        want = 0; // outside the range: untouched
                    }
                    assertEquals(want, y[i * out + o], 1e-5 * Math.sqrt(cols) + 1e-6, "out " + out + " cols " + cols
                            + " rows " + n + " range [" + o0 + ", " + o1 + ") at [" + i + ", " + o + "]");
                }
            }
        }
    }

    /**
     * The vector kernel's two forms for four activation rows (four weight rows at a time, or two twice: AVX2's) run
     * the same FMA chains, so they give the same bits, whichever the CPU picks.
     */
    @Test
    void bothBlockFormsGiveTheSameBits() {
        // not javaKernelAvailable(): a kernel that fails its self-test is switched off, and this test would skip
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(), "no jdk.incubator.vector");
        assumeTrue(jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256, "vectors under 256 bits");
        Random r = new Random(11);
        int[] colsChoices = {8, 15, 16, 17, 64, 100, 257, 768};
        for (int trial = 0; trial < 40; trial++) {
            int cols = colsChoices[trial % colsChoices.length];
            int out = 1 + r.nextInt(40);
            int n = 1 + trial % 17;
            ByteBuffer w = direct(gaussian(r, out * cols));
            float[] x = gaussian(r, n * cols);
            float[] whole = new float[n * out];
            float[] halves = new float[n * out];
            new VectorF32Kernel(false).rows(w, cols, x, n, whole, out, 0, out);
            new VectorF32Kernel(true).rows(w, cols, x, n, halves, out, 0, out);
            for (int i = 0; i < whole.length; i++) {
                assertEquals(Float.floatToRawIntBits(whole[i]), Float.floatToRawIntBits(halves[i]), "out " + out
                        + " cols " + cols + " rows " + n + " at " + i);
            }
        }
    }

    @Test
    void scalarKernelEqualsDoubleSums() {
        Random r = new Random(8);
        int cols = 19;
        int out = 5;
        int n = 3;
        float[] w = gaussian(r, out * cols);
        float[] x = gaussian(r, n * cols);
        float[] y = new float[n * out];
        F32Kernel.SCALAR.rows(direct(w), cols, x, n, y, out, 0, out);
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < out; o++) {
                double want = 0;
                for (int c = 0; c < cols; c++) {
                    want += (double) w[o * cols + c] * x[i * cols + c];
                }
                assertEquals(want, y[i * out + o], 1e-5);
            }
        }
    }

    /** The Java path of F32Matrix (with bias, 3-D input, shapes large enough to split over the cores) = Linear. */
    @Test
    void javaPathEqualsTheEngineProduct() {
        assumeTrue(F32Matrix.javaKernelAvailable(), "no vector kernel in this JVM (needs jdk.incubator.vector)");
        Random r = new Random(9);
        int[][] shapes = {{768, 256}, {301, 129}, {5, 7}, {1000, 33}};
        try (NDManager m = NDManager.newBaseManager()) {
            for (int[] s : shapes) {
                int out = s[0];
                int in = s[1];
                NDArray w = m.create(gaussian(r, out * in), new Shape(out, in));
                NDArray b = m.create(gaussian(r, out), new Shape(out));
                F32Matrix f = new F32Matrix(w);
                for (int n = 1; n <= 17; n += 4) {
                    NDArray x = m.create(gaussian(r, n * in), new Shape(1, n, in));
                    assertTrue(F32Matrix.withJavaRows(17, () -> f.usesJavaKernel(x, b)));
                    NDArray got = F32Matrix.withJavaRows(17, () -> f.multiply(x, b));
                    NDArray want = Linear.linear(x, w, b).singletonOrThrow();
                    assertEquals(want.getShape(), got.getShape());
                    float diff = want.sub(got).abs().max().getFloat();
                    assertTrue(diff < 1e-5 * Math.sqrt(in), out + "x" + in + " rows " + n + ": max |diff| " + diff);
                    NDArray noBias = F32Matrix.withJavaRows(17, () -> f.multiply(x, null));
                    assertTrue(Linear.linear(x, w, null).singletonOrThrow().sub(noBias).abs().max().getFloat()
                            < 1e-5 * Math.sqrt(in));
                }
            }
        }
    }

    /**
     * With panels allowed, 3 to 17 rows run one FMA chain per output, k ascending from zero, then + b: the bits of
     * that loop in plain Java. 1 and 2 rows keep the row-major kernel's bits. Shapes with weight-row tails (not
     * multiples of 32) and odd widths.
     */
    @Test
    void panelProductsAreOneChainPerOutputFromThreeRows() {
        assumeTrue(F32Matrix.javaKernelAvailable(), "no vector kernel in this JVM (needs jdk.incubator.vector)");
        Random r = new Random(13);
        int[][] shapes = {{33, 7}, {70, 129}, {301, 64}, {256, 768}};
        try (NDManager m = NDManager.newBaseManager()) {
            for (int[] sh : shapes) {
                int out = sh[0];
                int in = sh[1];
                float[] w = gaussian(r, out * in);
                float[] b = gaussian(r, out);
                F32Matrix f = new F32Matrix(m.create(w, new Shape(out, in)));
                f.allowPanels(true);
                NDArray bias = m.create(b, new Shape(out));
                for (int n = 1; n <= 17; n++) {
                    float[] x = gaussian(r, n * in);
                    NDArray xa = m.create(x, new Shape(n, in));
                    float[] got = F32Matrix.withJavaRows(17, () -> f.multiply(xa, bias)).toFloatArray();
                    float[] want;
                    if (n < F32Matrix.PANEL_ROWS) {
                        want = new float[n * out];
                        F32Kernel.best().rows(direct(w), in, x, n, want, out, 0, out);
                        for (int i = 0; i < n; i++) {
                            for (int o = 0; o < out; o++) {
                                want[i * out + o] += b[o];
                            }
                        }
                    } else {
                        want = oneChainPerOutput(w, b, x, n, in, out);
                    }
                    org.junit.jupiter.api.Assertions.assertArrayEquals(want, got, out + "x" + in + ", " + n + " rows");
                    assertEquals(n >= F32Matrix.PANEL_ROWS, f.hasPanels(), "panel copy after " + n + " rows");
                }
            }
        }
    }

    /**
     * Prefill on the panels: with {@code prefillPanels}, a product of more rows than javaRows, up to
     * PREFILL_PANEL_ROWS, takes an allowed panel copy (one chain per output, the bits of the 3-to-16-row products
     * above); without it, with the panels not allowed, or with more rows, the engine's. Set here whatever this
     * CPU's default is (on by default with 512-bit vectors only).
     */
    @Test
    void prefillTakesAllowedPanelsWhenAsked() {
        assumeTrue(F32Matrix.panelsPayHere(), "no vector kernel for the head tile in this JVM");
        boolean saved = F32Matrix.prefillPanels;
        Random r = new Random(19);
        int out = 70;
        int in = 129;
        float[] w = gaussian(r, out * in);
        float[] b = gaussian(r, out);
        try (NDManager m = NDManager.newBaseManager()) {
            F32Matrix f = new F32Matrix(m.create(w, new Shape(out, in)));
            NDArray bias = m.create(b, new Shape(out));
            for (int n : new int[] {17, 40, F32Matrix.PREFILL_PANEL_ROWS}) {
                float[] x = gaussian(r, n * in);
                NDArray xa = m.create(x, new Shape(n, in));
                F32Matrix.prefillPanels = true;
                assertFalse(F32Matrix.withJavaRows(16, () -> f.usesJavaKernel(xa, bias)), "panels not allowed");
                f.allowPanels(true);
                assertTrue(F32Matrix.withJavaRows(16, () -> f.usesJavaKernel(xa, bias)), n + " rows on the panels");
                float[] got = F32Matrix.withJavaRows(16, () -> f.multiply(xa, bias)).toFloatArray();
                org.junit.jupiter.api.Assertions.assertArrayEquals(oneChainPerOutput(w, b, x, n, in, out), got,
                        n + " rows");
                assertTrue(f.hasPanels());
                F32Matrix.prefillPanels = false;
                assertFalse(F32Matrix.withJavaRows(16, () -> f.usesJavaKernel(xa, bias)), "prefill panels off");
                f.allowPanels(false);
            }
            F32Matrix.prefillPanels = true;
            f.allowPanels(true);
            NDArray more = m.create(gaussian(r, (F32Matrix.PREFILL_PANEL_ROWS + 1) * in),
                    new Shape(F32Matrix.PREFILL_PANEL_ROWS + 1, in));
            assertFalse(F32Matrix.withJavaRows(16, () -> f.usesJavaKernel(more, bias)), "more rows: the engine");
        } finally {
            F32Matrix.prefillPanels = saved;
        }
    }

    /** x·Wᵀ + b with one fused multiply-add chain per output, k ascending from zero, then + b (n rows). */
    private static float[] oneChainPerOutput(float[] w, float[] b, float[] x, int n, int in, int out) {
        float[] y = new float[n * out];
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < out; o++) {
                float acc = 0f;
                for (int c = 0; c < in; c++) {
                    acc = Math.fma(x[i * in + c], w[o * in + c], acc);
                }
                y[i * out + o] = acc + b[o];
            }
        }
        return y;
    }

    /**
     * The panel copy is W as it was packed: after W is written in place, dropPanels makes the next product see the
     * new weights (the copy is packed again), and a matrix whose panels are not allowed never packs one.
     */
    @Test
    void droppedPanelsArePackedAgainFromTheWrittenWeights() {
        assumeTrue(F32Matrix.javaKernelAvailable(), "no vector kernel in this JVM (needs jdk.incubator.vector)");
        Random r = new Random(17);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(gaussian(r, 64 * 48), new Shape(64, 48));
            F32Matrix f = new F32Matrix(w);
            NDArray x = m.create(gaussian(r, 4 * 48), new Shape(4, 48));
            F32Matrix.withJavaRows(16, () -> f.multiply(x, null));
            assertFalse(f.hasPanels(), "panels not allowed");
            f.allowPanels(true);
            float[] before = F32Matrix.withJavaRows(16, () -> f.multiply(x, null)).toFloatArray();
            assertTrue(f.hasPanels());
            w.addi(m.ones(new Shape(64, 48)));
            float[] stale = F32Matrix.withJavaRows(16, () -> f.multiply(x, null)).toFloatArray();
            org.junit.jupiter.api.Assertions.assertArrayEquals(before, stale, "the copy is read until dropped");
            f.dropPanels();
            NDArray got = F32Matrix.withJavaRows(16, () -> f.multiply(x, null));
            float diff = Linear.linear(x, w, null).singletonOrThrow().sub(got).abs().max().getFloat();
            assertTrue(diff < 1e-4, "after dropPanels the product uses the written weights: max |diff| " + diff);
            f.allowPanels(false);
            assertFalse(f.hasPanels(), "forbidding drops the copy");
        }
    }

    /** By default decode's 1 to 16 rows against any matrix of at least 2^17 values take the Java kernel. */
    @Test
    void defaultLimitsPickDecodeProductsWithMatricesThatAreNotSmall() {
        assumeTrue(F32Matrix.javaKernelAvailable(), "no vector kernel in this JVM (needs jdk.incubator.vector)");
        try (NDManager m = NDManager.newBaseManager()) {
            F32Matrix kvProjection = new F32Matrix(m.zeros(new Shape(256, 768))); // §2's smallest projection
            F32Matrix small = new F32Matrix(m.zeros(new Shape(192, 64))); // the miniature's largest
            assertTrue(kvProjection.usesJavaKernel(m.zeros(new Shape(1, 1, 768)), null), "one row");
            assertTrue(kvProjection.usesJavaKernel(m.zeros(new Shape(8, 1, 768)), null));
            assertTrue(kvProjection.usesJavaKernel(m.zeros(new Shape(16, 768)), null));
            assertFalse(kvProjection.usesJavaKernel(m.zeros(new Shape(17, 768)), null), "prefill: libtorch");
            assertFalse(small.usesJavaKernel(m.zeros(new Shape(8, 64)), null), "small matrix: libtorch");
        }
    }

    /** More rows than the crossover, or a gradient on W, x or the bias: the engine's product (autograd sees it). */
    @Test
    void gradientsAndManyRowsKeepTheEngine() {
        assumeTrue(F32Matrix.javaKernelAvailable(), "no vector kernel in this JVM (needs jdk.incubator.vector)");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.randomNormal(new Shape(8, 16));
            F32Matrix f = new F32Matrix(w);
            NDArray x = m.randomNormal(new Shape(4, 16));
            assertTrue(F32Matrix.withJavaRows(4, () -> f.usesJavaKernel(x, null)));
            assertFalse(F32Matrix.withJavaRows(3, () -> f.usesJavaKernel(x, null)));
            NDArray xg = m.randomNormal(new Shape(4, 16));
            xg.setRequiresGradient(true);
            assertFalse(F32Matrix.withJavaRows(16, () -> f.usesJavaKernel(xg, null)));
            NDArray bg = m.randomNormal(new Shape(8));
            bg.setRequiresGradient(true);
            assertFalse(F32Matrix.withJavaRows(16, () -> f.usesJavaKernel(x, bg)));
            NDArray wg = m.randomNormal(new Shape(8, 16));
            wg.setRequiresGradient(true);
            assertFalse(F32Matrix.withJavaRows(16, () -> new F32Matrix(wg).usesJavaKernel(x, null)));
        }
    }

    /**
     * Inside a GradientCollector, and on a new thread (PyTorch's grad mode starts on there), the engine is used even
     * when no array asks for a gradient; a thread that declares itself inference-only gets the Java kernel.
     */
    @Test
    @org.junit.jupiter.api.Timeout(60)
    void autogradModeDecidesThePath() throws Exception {
        assumeTrue(F32Matrix.javaKernelAvailable(), "no vector kernel in this JVM (needs jdk.incubator.vector)");
        try (NDManager m = NDManager.newBaseManager()) {
            F32Matrix f = new F32Matrix(m.randomNormal(new Shape(8, 16)));
            NDArray x = m.randomNormal(new Shape(2, 16));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                assertFalse(F32Matrix.withJavaRows(16, () -> f.usesJavaKernel(x, null)));
            }
            boolean[] seen = new boolean[2];
            Thread t = new Thread(() -> {
                seen[0] = F32Matrix.withJavaRows(16, () -> f.usesJavaKernel(x, null));
                Autograd.offOnThisThread();
                seen[1] = F32Matrix.withJavaRows(16, () -> f.usesJavaKernel(x, null));
            });
            t.start();
            t.join();
            assertFalse(seen[0], "a new thread starts with grad mode on");
            assertTrue(seen[1], "after Autograd.offOnThisThread");
        }
    }

    /**
     * Backward through a product with a frozen weight and an input that wants its gradient (LoRA and hypernetwork
     * training: the base model's weights are frozen, its activations are not): dL/dx of sum(x·Wᵀ) is W's column
     * sums in every row. A product computed outside the engine would cut the path to x's leaf (regression: the
     * first version asked only hasGradient(), which is false for such an activation, and broke this).
     */
    @Test
    void inputGradientFlowsThroughAFrozenWeight() {
        try (NDManager m = NDManager.newBaseManager()) {
            Random r = new Random(10);
            int out = 24;
            int in = 20;
            float[] wv = gaussian(r, out * in);
            NDArray w = m.create(wv, new Shape(out, in));
            F32Matrix f = new F32Matrix(w);
            NDArray x0 = m.create(gaussian(r, 3 * in), new Shape(3, in));
            x0.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray x = x0.mul(x0.onesLike()); // an activation, not a leaf: DJL's hasGradient() says false
                NDArray y = F32Matrix.withJavaRows(16, () -> f.multiply(x, null));
                gc.backward(y.sum());
            }
            float[] g = x0.getGradient().toFloatArray();
            for (int i = 0; i < 3; i++) {
                for (int c = 0; c < in; c++) {
                    double want = 0;
                    for (int o = 0; o < out; o++) {
                        want += wv[o * in + c];
                    }
                    assertEquals(want, g[i * in + c], 1e-5, "dL/dx[" + i + "][" + c + "]");
                }
            }
        }
    }
}
