package ai.t2l.compute;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.T2lException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A float32 engine array. Its product takes one of two paths:
 * <ul>
 *   <li>1 to 16 activation rows (decode, batched decode) against a matrix of at least {@link #javaMinWeights}
 *       values, and autograd off on this thread: {@link F32Kernel} reads the weight in place from engine memory (no
 *       copy) and streams it once for all rows, split over the cores (BENCHMARKS.md, issue 16, "float32 decode
 *       products" and the ninth session);</li>
 *   <li>otherwise the engine's GEMM (Linear.linear, exactly as before): prefill, small matrices (the miniature, the
 *       test models), and every product while autograd may record (inside a GradientCollector, and on threads whose
 *       grad mode is on: PyTorch's default in threads other than the one that started the engine; see
 *       {@link Autograd}).</li>
 * </ul>
 * Training's autograd thus never meets the Java path. {@code -Dt2l.f32.engineProducts=true} forces the engine for
 * paired A/B runs of one jar; {@code -Dt2l.f32.javaRows=N}, {@code javaMinRows}, {@code javaMinWeights} move the
 * limits.
 *
 * <p>From {@link #PANEL_ROWS} rows on (batched decode), a matrix its owner allowed it ({@link #allowPanels}) takes
 * the Java path on a second copy of W, packed once into {@link HeadProduct}'s panels on the Java heap: on AVX2 its
 * register tile broadcasts each activation against 16 weight rows and ran §2's decode products at 8 rows in 18.7
 * against 28.0 ms a step (BENCHMARKS.md, issue 16, twenty-fourth session); on an AMD EPYC with AVX-512 (Zen 4) §2's
 * batch-8 decode went from 263–293 to 366–416 tok/s (twenty-eighth session). The copy costs W's bytes again, so the
 * owner decides (Transformer: only when the model's matrices fit in half the heap) and drops it whenever W is
 * written in place ({@link #dropPanels}). Its sums run k ascending in one chain per output, the row-major kernel's
 * in eight lanes: a row's outputs differ in the last bits between 1–2 and 3–16 rows.
 *
 * <p>With 512-bit vectors the panels take prefill's products too (more than {@link #javaRows} rows, up to
 * {@link #PREFILL_PANEL_ROWS}, when the panels are allowed): the head tile reuses each panel for every 8 rows and
 * runs near the cores' peak, where the engine's GEMM (MKL, whose AVX-512 code paths are for Intel CPUs) ran §2's
 * prefill shapes at 78–129 GFLOP/s on that Zen 4 against 228 at its peak; §2's prefill of 128 tokens went from
 * 720–843 to 933–991 tok/s (twenty-eighth session). On AVX2 this was not measured end to end, so prefill keeps the
 * engine there; {@code -Dt2l.f32.prefillPanels=} true or false decides either way.
 *
 * <p>The panels may hold bfloat16 pairs instead ({@link #panelPrecision}, {@code --products bf16dot}): weights and
 * activations rounded, AVX512_BF16 dot products ({@link Bf16Dot}), §2's prefill 1.5–1.7× and batch-8 decode about
 * 1.5× faster, the logits within 1–2% of their scale (docs/PERFORMANCE.md, "Beyond the float32 peak").
 */
public final class F32Matrix implements WeightMatrix {
    /**
     * Fewest activation rows for the panel copy. Paired on §2's products (AMD EPYC, AVX2; ms a step, panels against
     * row-major): 1 row 11.0–13.5 against 10.2–11.3, 2 rows 11.3–13.0 against 11.1–11.3, 3 rows 15.2–16.0 against
     * 17.2–17.6, 6 rows 15.4–15.9 against 23.4–23.8, 16 rows 30.6–31.3 against 51.9–52.6.
     */
    public static final int PANEL_ROWS = 3;

    private final NDArray w; // (rows, cols)
    /** What the panel products read and multiply ({@link #panelPrecision}); the default from -Dt2l.products. */
    private volatile ProductPrecision panelPrecision = ownPart(defaultPanelPrecision());
    private volatile boolean panelsAllowed;
    private volatile HeadProduct panels;

    public F32Matrix(NDArray w) {
        this.w = w;
    }

    /** The engine array itself (training marks it trainable; merge adds into it). */
    public NDArray array() {
        return w;
    }

    @Override
    public long rows() {
        return w.getShape().get(0);
    }

    @Override
    public long cols() {
        return w.getShape().get(1);
    }

    @Override
    public String storage() {
        return "f32";
    }

    @Override
    public long bytes() {
        return 4L * rows() * cols();
    }

    /** Forces the engine's product everywhere (A/B runs of one jar). */
    private static final boolean ENGINE_ONLY = Boolean.getBoolean("t2l.f32.engineProducts");

    /** Switches the panel copies off for paired A/B runs of one jar ({@code -Dt2l.f32.panels=false}). */
    private static final boolean PANELS = !"false".equals(System.getProperty("t2l.f32.panels"));

    /**
     * Most rows of a prefill product on the panels: §2's 128-token prompts gained 17–30%, while 1,024-token prompts
     * (chunks of 256 rows, {@code Transformer.prefillRows}) lost 5–25% against the engine, with one or two engine
     * threads alike (BENCHMARKS.md, twenty-eighth session); between the two nothing was measured.
     */
    static final int PREFILL_PANEL_ROWS = 128;

    /** Whether allowed panels take products of more than javaRows rows (prefill). Not final so tests can set it. */
    static boolean prefillPanels = Boolean.parseBoolean(System.getProperty("t2l.f32.prefillPanels",
            String.valueOf(HeadProduct.vectorBits() == 512)));

    /**
     * The Java kernel runs for [javaMinRows, javaRows] activation rows against matrices of at least javaMinWeights
     * values. Paired on the Intel Xeon of the ninth session (§2's model, after {@link ComputePool} stopped waking its
     * worker per product): every projection at 1 and 8 rows was faster on it than in libtorch, decode batch 1 by
     * 10-20% and batch 8 by 23-34%; in the third session, before that pool change and on an AMD EPYC, only the
     * 32,000-row vocabulary head at 8-16 rows had won. Smaller matrices than javaMinWeights (the miniature's and the
     * test models' ≤ 20,000) keep libtorch's product: not measured, and their committed outputs were made with it.
     * Not final so tests can force either path.
     */
    static int javaRows = Integer.getInteger("t2l.f32.javaRows", 16);

    static int javaMinRows = Integer.getInteger("t2l.f32.javaMinRows", 1);

    static long javaMinWeights = Long.getLong("t2l.f32.javaMinWeights", 1L << 17);

    /** True when this JVM has the vector kernel, i.e. the Java path can run at all (tests skip otherwise). */
    public static boolean javaKernelAvailable() {
        return F32Kernel.fast() && !ENGINE_ONLY;
    }

    /**
     * Runs {@code body} with the Java kernel allowed for 1 to {@code rows} activation rows on matrices of any height
     * (0: never), then restores the settings: for tests and measurements that compare both paths in one JVM. Not
     * for concurrent use.
     */
    public static <T> T withJavaRows(int rows, java.util.function.Supplier<T> body) {
        int[] saved = {javaRows, javaMinRows};
        long savedWeights = javaMinWeights;
        javaRows = rows;
        javaMinRows = 1;
        javaMinWeights = 0;
        try {
            return body.get();
        } finally {
            javaRows = saved[0];
            javaMinRows = saved[1];
            javaMinWeights = savedWeights;
        }
    }

    @Override
    public NDArray multiply(NDArray x, NDArray bias) {
        if (usesJavaKernel(x, bias)) {
            return javaProduct(x, bias);
        }
        return Linear.linear(x, w, bias).singletonOrThrow();
    }

    /**
     * The settings and shapes part of {@link #usesJavaKernel}: a vector kernel, few rows, a matrix that is not
     * small, and a weight under 2 GiB (a ByteBuffer holds at most that, e.g. not Llama 3.1's 128,256 x 4,096
     * embedding).
     */
    @Override
    public boolean javaProductFor(long n) {
        // javaRows 0 is "never" (withJavaRows(0), -Dt2l.f32.javaRows=0), for prefill as well
        return !ENGINE_ONLY && F32Kernel.fast() && n >= javaMinRows && javaRows > 0
                && (n <= javaRows
                        || prefillPanels && panelsAllowed && n >= PANEL_ROWS && n <= PREFILL_PANEL_ROWS)
                && rows() * cols() >= javaMinWeights && 4L * rows() * cols() <= Integer.MAX_VALUE;
    }

    /**
     * The Java kernel for this product: few rows, a matrix that is not small, no autograd recording on this thread
     * ({@link Autograd}) and no gradient flag on W, x or the bias, a vector kernel, and a weight under 2 GiB.
     */
    boolean usesJavaKernel(NDArray x, NDArray bias) {
        Shape s = x.getShape();
        if (s.dimension() == 0 || s.get(s.dimension() - 1) != cols() || !javaProductFor(s.size() / cols())) {
            return false;
        }
        return !Autograd.mayRecord(x) && !w.hasGradient() && !x.hasGradient()
                && (bias == null || !bias.hasGradient());
    }

    /**
     * Whether panel copies pay on this CPU: wherever the head tile has a vector kernel. Measured with 256-bit vectors
     * (AMD Zen 3), where the row-major blocks run out of registers, and with 512-bit ones (AMD Zen 4), where they do
     * not and the panels still won by a third at batch 8 (see the class comment).
     */
    public static boolean panelsPayHere() {
        return PANELS && javaKernelAvailable() && HeadProduct.fast();
    }

    /**
     * Lets products with {@link #PANEL_ROWS} to {@link #javaRows} rows (up to {@link #PREFILL_PANEL_ROWS} with
     * {@link #prefillPanels}) pack and use the panel copy, or forbids it.
     */
    public void allowPanels(boolean allowed) {
        panelsAllowed = allowed;
        if (!allowed) {
            dropPanels();
        }
    }

    /** Forgets the panel copy (W was written in place); the next batched product packs it again. */
    public void dropPanels() {
        panels = null;
    }

    /** The system property behind {@link #panelPrecision}'s default, set by {@code --products}. */
    public static final String PRODUCTS_PROPERTY = "t2l.products";

    /**
     * f32 unless -Dt2l.products says otherwise: f32, bf16dot or int8dot, as the matrices' setters take (bf16dot or
     * int8dot where the library does not run stops at load, saying why: {@link ProductPrecision#fromProperty}).
     */
    static ProductPrecision defaultPanelPrecision() {
        ProductPrecision p = ProductPrecision.fromProperty(PRODUCTS_PROPERTY);
        if (p == ProductPrecision.BF16) {
            throw new T2lException("-D" + PRODUCTS_PROPERTY + "=bf16: products in bf16 with float32 activations are"
                    + " --weights bf16; -D" + PRODUCTS_PROPERTY + " takes f32, bf16dot or int8dot");
        }
        return p;
    }

    /**
     * What the panel products (batched decode, prompts of up to {@link #PREFILL_PANEL_ROWS} rows) read and multiply:
     * {@link ProductPrecision#F32}, or {@link ProductPrecision#BF16_DOT} (weights and activations rounded to
     * bfloat16, AVX512_BF16 dot products; docs/PERFORMANCE.md gives the error). The row-major kernel (1–2 rows) and
     * the engine's products stay float32. A change drops the panel copy. {@link ProductPrecision#INT8_DOT} is for int8
     * weights: these products stay float32 under it.
     *
     * @throws T2lException for BF16 (that is {@code --weights bf16}) or BF16_DOT / INT8_DOT where the native library
     *     does not run, saying why
     */
    public void panelPrecision(ProductPrecision value) {
        checkProducts(value);
        ProductPrecision precision = ownPart(value);
        synchronized (this) {
            if (precision != panelPrecision) {
                panelPrecision = precision;
                panels = null;
            }
        }
    }

    /** What a float32 matrix takes of a {@code --products} value: int8dot is for int8 weights, f32 here. */
    private static ProductPrecision ownPart(ProductPrecision p) {
        return p == ProductPrecision.INT8_DOT ? ProductPrecision.F32 : p;
    }

    /** Refuses what {@code --products} does not take: BF16, and BF16_DOT or INT8_DOT where the library does not run. */
    static void checkProducts(ProductPrecision precision) {
        if (precision == ProductPrecision.BF16) {
            throw new T2lException("products in bf16 with float32 activations are --weights bf16, not --products");
        }
        if (precision == ProductPrecision.BF16_DOT) {
            Bf16Dot.require("products bf16dot");
        } else if (precision == ProductPrecision.INT8_DOT) {
            Int8Rows.require("products int8dot");
        }
    }

    /** Whether this matrix holds a panel copy now (tests). */
    boolean hasPanels() {
        return panels != null;
    }

    /** Heap bytes of the panel copy now held (0 without one). */
    public long panelBytes() {
        HeadProduct p = panels;
        return p == null ? 0 : p.bytes();
    }

    private NDArray javaProduct(NDArray x, NDArray bias) {
        Shape s = x.getShape();
        int cols = (int) cols();
        int rows = (int) rows();
        int n = (int) (s.size() / cols);
        float[] xs = x.toFloatArray();
        float[] y = new float[Math.multiplyExact(n, rows)];
        HeadProduct p = n >= PANEL_ROWS && panelsAllowed ? panels() : null;
        if (p != null) {
            p.multiply(xs, n, rows, (p0, count, r0, tileRows, tile) -> {
                for (int i = 0; i < tileRows; i++) {
                    System.arraycopy(tile, i * HeadProduct.FEATURES_PER_PANEL, y, (r0 + i) * rows + p0, count);
                }
            });
            return finish(x, y, n, rows, bias);
        }
        // the tensor's own memory (DJL wraps a contiguous tensor without copying); asked per call rather than kept,
        // so a closed or replaced array can never be read through a stale buffer
        ByteBuffer wb = weightBuffer();
        F32Kernel k = F32Kernel.best();
        ComputePool.forRange(rows, (long) rows * cols, (o0, o1) -> k.rows(wb, cols, xs, n, y, rows, o0, o1));
        return finish(x, y, n, rows, bias);
    }

    /** The panel copy, packed on first use. */
    private synchronized HeadProduct panels() {
        HeadProduct p = panels;
        if (p == null) {
            int[] order = java.util.stream.IntStream.range(0, (int) rows()).toArray();
            p = HeadProduct.pack(weightBuffer().asFloatBuffer(), (int) cols(), null, order, panelPrecision);
            panels = p;
        }
        return p;
    }

    private ByteBuffer weightBuffer() {
        ByteBuffer wb = w.toByteBuffer(true).order(ByteOrder.nativeOrder());
        if (wb.capacity() < 4L * rows() * cols()) {
            throw new T2lException("float32 matrix " + w.getShape() + ": engine memory holds " + wb.capacity()
                    + " bytes, expected " + 4L * rows() * cols());
        }
        return wb;
    }

    /** y (n, rows) + bias, shaped as x with its last dimension replaced. */
    private static NDArray finish(NDArray x, float[] y, int n, int rows, NDArray bias) {
        if (bias != null) {
            float[] b = bias.toFloatArray();
            for (int r = 0; r < n; r++) {
                for (int o = 0; o < rows; o++) {
                    y[r * rows + o] += b[o]; // one rounding, as the engine's add
                }
            }
        }
        long[] outShape = x.getShape().getShape().clone();
        outShape[outShape.length - 1] = rows;
        return Staging.copyOf(x.getManager(), y, new Shape(outShape));
    }

    @Override
    public void rowInto(int r, float[] dst, int off) {
        try (NDArray row = w.get(r)) {
            float[] v = row.toFloatArray();
            System.arraycopy(v, 0, dst, off, v.length);
        }
    }

    @Override
    public FloatTensor toFloat() {
        return new FloatTensor(w.toFloatArray(), w.getShape().getShape());
    }
}
