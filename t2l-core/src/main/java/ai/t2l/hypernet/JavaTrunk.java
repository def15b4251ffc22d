package ai.t2l.hypernet;

import ai.t2l.compute.HeadProduct;
import ai.t2l.compute.ProductPrecision;
import ai.t2l.compute.LayerNormRows;
import ai.t2l.compute.RowRanges;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Generation's trunk on Java arrays: from the encoded task embeddings to every module's head input, the same
 * network as {@code HyperModulator.trunk} + {@code headInput} (T2L-SPEC §2.3–§2.6) for every variant, with the
 * modules' rows stacked so each weight is read once per call. Why not the engine: at these sizes its ops cost more in
 * calls and fresh allocations than in arithmetic (a LayerNorm of 1024 × 512 floats took about 1 ms, a SiLU as long),
 * and S's trunk (1,024 rows after the rank broadcast) took 13–15 ms of a 37 ms adapter (BENCHMARKS.md, issue 16,
 * twelfth session). Training keeps the engine (autograd).
 *
 * <p>Numbers: the linear layers run on {@link HeadProduct} (float32, k ascending, then + b), LayerNorm on
 * {@link LayerNormRows} (sums in double), SiLU is the engine's two roundings ({@link ai.t2l.compute.Silu}); every add
 * and product between them is the engine's single rounding in the same order. So only the summation order differs
 * from the engine path (golden adapters within 1e-5). The embedding tables (depth, type, out_emb, pos_emb after
 * their LayerNorm) and the rotary tables come from the engine once, when the trunk is packed.
 */
final class JavaTrunk {
    private static final float LN_EPS = 1e-5f;

    /** Per-index rows computed by the engine once; each flattened row-major. */
    record Tables(float[] depth, float[] type, float[][] outEmbA, float[][] outEmbB, float[] pos, float[] cos,
            float[] sin) {}

    private final HyperConfig config;
    private final Tables tables;
    private final HeadProduct mixer1;
    private final HeadProduct mixer4;
    private final Block mlp1;
    private final Block mlp2;
    private final Norm mlp3Norm;
    private final HeadProduct mlp3a;
    private final HeadProduct mlp3b;
    /** S with learnable positions: mlp2 of the position embedding (r rows), the same on every call; else null. */
    private final float[] posThroughMlp2;

    /**
     * @param weights a (out, in) weight by its reference name, row-major
     * @param vectors a bias or LayerNorm vector by its reference name
     * @param precision the linear layers' products: {@link ProductPrecision#BF16_DOT} rounds their weights and inputs
     *     to bfloat16 as the heads' do ({@code --heads bf16dot}); anything else keeps them float32 ({@code --heads
     *     bf16} rounds the head weights only)
     */
    JavaTrunk(HyperConfig config, Tables tables, Function<String, FloatBuffer> weights,
            Function<String, float[]> vectors, ProductPrecision precision) {
        this.config = config;
        this.tables = tables;
        this.mixer1 = dense(weights, vectors, "mixer.1", precision);
        this.mixer4 = dense(weights, vectors, "mixer.4", precision);
        this.mlp1 = new Block(weights, vectors, "mlp1.mlp", precision);
        this.mlp2 = new Block(weights, vectors, "mlp2.mlp", precision);
        this.mlp3Norm = new Norm(vectors, "mlp3.0");
        this.mlp3a = dense(weights, vectors, "mlp3.1", precision);
        this.mlp3b = dense(weights, vectors, "mlp3.4", precision);
        this.posThroughMlp2 = config.variant().sharedAbHead && config.variant().autoregGen && config.learnablePosEmb()
                ? mlp2.residual(tables.pos().clone(), config.rank()) : null;
    }

    /**
     * Every module's head input, as {@code HyperModulator.headInput} orders its rows (L: one per adapter row; M: A's
     * rows then B's; L_AUTOREG and S: each of those times r), row-major, headIn wide.
     *
     * @param encoded (tasks, E): the task encoder's output; adapter row t·layers + l is task t, layer l
     * @return per module, in {@link HyperConfig#moduleOrder()}
     */
    float[][] headInputs(float[] encoded, int tasks) {
        List<String> modules = config.moduleOrder();
        int k = modules.size();
        int layers = config.numLayers();
        int n = tasks * layers;
        int e = config.encodedTaskDim();
        int p = config.positionDim();
        int width = config.mlpWidth();
        int rows = k * n;
        float[] x = new float[rows * width]; // module j's n rows at j·n: [encoded task, depth, type] (§2.4)
        for (int j = 0; j < k; j++) {
            for (int i = 0; i < n; i++) {
                int at = (j * n + i) * width;
                System.arraycopy(encoded, (i / layers) * e, x, at, e);
                System.arraycopy(tables.depth(), (i % layers) * p, x, at + e, p);
                System.arraycopy(tables.type(), j * p, x, at + e + p, p);
            }
        }
        float[] h = mixer4.multiply(mixer1.multiply(x, rows, true), rows, true);
        h = mlp1.residual(h, rows);
        float[] last; // mlp3's input, module j's rows in the j-th k-th of it
        if (config.variant().sharedAbHead) { // per module: its rows + out_emb A, then + out_emb B (§2.6)
            float[] z = new float[2 * rows * width];
            for (int j = 0; j < k; j++) {
                addRows(h, j * n, n, tables.outEmbA()[j], z, 2 * j * n, width);
                addRows(h, j * n, n, tables.outEmbB()[j], z, (2 * j + 1) * n, width);
            }
            z = mlp2.residual(z, 2 * rows);
            last = config.variant().autoregGen ? rankRows(z, 2 * rows, true) : z;
        } else if (config.variant().autoregGen) {
            last = rankRows(h, rows, false);
        } else {
            last = mlp2.residual(h, rows);
        }
        // one array per module, made by mlp3 in place (no copy of a stacked output)
        int per = last.length / width / k;
        float[][] perModule = new float[k][];
        for (int j = 0; j < k; j++) {
            perModule[j] = mlp3(last, j * per, per);
        }
        return perModule;
    }

    /**
     * The autoregressive variants' rank step (§2.6): every row repeated r times (row i·r + q), then position q's
     * learnable embedding or its rotary rotation, then mlp2. S with learnable positions adds mlp2 of the position
     * embedding (HyperModulator.sharedHeadInput); L_AUTOREG adds the embedding before mlp2 (headInput); with rotary
     * positions both run mlp2 on the rotated rows (QUIRK §2.6: for S a second time).
     */
    private float[] rankRows(float[] z, int rows, boolean shared) {
        int r = config.rank();
        int width = config.mlpWidth();
        if (!config.learnablePosEmb()) {
            return mlp2.residual(rotary(z, rows), rows * r);
        }
        float[] zz = new float[rows * r * width];
        for (int i = 0; i < rows; i++) {
            for (int q = 0; q < r; q++) {
                System.arraycopy(z, i * width, zz, (i * r + q) * width, width);
            }
        }
        if (shared) {
            addPerRank(zz, rows, posThroughMlp2);
            return zz;
        }
        addPerRank(zz, rows, tables.pos());
        return mlp2.residual(zz, rows * r);
    }

    /** x[i·r + q] += t[q] for every row i: one rounding per value, as the engine's broadcast add. */
    private void addPerRank(float[] x, int rows, float[] t) {
        int r = config.rank();
        int width = config.mlpWidth();
        for (int i = 0; i < rows; i++) {
            for (int q = 0; q < r; q++) {
                int at = (i * r + q) * width;
                for (int c = 0; c < width; c++) {
                    x[at + c] = x[at + c] + t[q * width + c];
                }
            }
        }
    }

    /**
     * Every row of x repeated r times and rotated by Llama's rotary step at positions 0..r−1 (HyperModulator.rotary):
     * row i·r + q = x_i·cos_q + rotate_half(x_i)·sin_q, rotate_half(x) = (−x₂, x₁); two products and an add, each
     * rounded, as on the engine (which repeats, then rotates).
     */
    private float[] rotary(float[] x, int rows) {
        int r = config.rank();
        int width = config.mlpWidth();
        int half = width / 2;
        float[] cos = tables.cos();
        float[] sin = tables.sin();
        float[] out = new float[rows * r * width];
        for (int i = 0; i < rows * r; i++) {
            int at = i * width;
            int src = (i / r) * width;
            int t = (i % r) * width;
            for (int c = 0; c < width; c++) {
                float rotated = c < half ? -x[src + c + half] : x[src + c - half];
                out[at + c] = x[src + c] * cos[t + c] + rotated * sin[t + c];
            }
        }
        return out;
    }

    /**
     * mlp3 (§2.5) on rows [row0, row0 + rows) of x: LayerNorm, Linear(M, 4M), SiLU, Linear(4M, head_in), SiLU; block by
     * block ({@link #inBlocks}).
     */
    private float[] mlp3(float[] x, int row0, int rows) {
        float[] out = new float[rows * mlp3b.positions()];
        inBlocks(rows, mlp3a, mlp3b, (r0, n, normed, hidden) -> {
            mlp3Norm.rows(x, row0 + r0, normed, n);
            mlp3a.multiplyRows(normed, 0, hidden, 0, n, true, (long) rows * mlp3a.positions());
            mlp3b.multiplyRows(hidden, 0, out, r0, n, true, (long) rows * mlp3b.positions());
        });
        return out;
    }

    /** Rows per block of {@link #inBlocks}: a block's LayerNorm, hidden and output rows stay in the core's L2. */
    private static final int BLOCK_ROWS = 64;

    /** The steps of an MLP on rows [r0, r0 + n), with scratch for the normed rows and the hidden layer's. */
    private interface BlockSteps {
        void run(int r0, int n, float[] normed, float[] hidden);
    }

    /**
     * Runs an MLP (LayerNorm, up, SiLU, down, SiLU, and what follows) on blocks of {@link #BLOCK_ROWS} rows, the
     * rows split over the cores: each block's intermediates are made and used while they are in the core's cache,
     * where the layer-by-layer form wrote and read back every intermediate of 1,024 rows (S's rank step) in memory,
     * and called the pool once per layer. The same operations on every value, so the same bits.
     */
    private static void inBlocks(int rows, HeadProduct up, HeadProduct down, BlockSteps steps) {
        long work = (long) rows * ((long) up.positions() * up.cols() + (long) down.positions() * down.cols());
        RowRanges.split(rows, work, (begin, end) -> {
            float[] normed = new float[BLOCK_ROWS * up.cols()];
            float[] hidden = new float[BLOCK_ROWS * up.positions()];
            for (int r0 = begin; r0 < end; r0 += BLOCK_ROWS) {
                steps.run(r0, Math.min(BLOCK_ROWS, end - r0), normed, hidden);
            }
        });
    }

    /** dst rows [d0, d0 + n) = src rows [s0, s0 + n) + v. */
    private static void addRows(float[] src, int s0, int n, float[] v, float[] dst, int d0, int width) {
        for (int i = 0; i < n; i++) {
            int s = (s0 + i) * width;
            int d = (d0 + i) * width;
            for (int c = 0; c < width; c++) {
                dst[d + c] = src[s + c] + v[c];
            }
        }
    }

    private static HeadProduct dense(Function<String, FloatBuffer> weights, Function<String, float[]> vectors,
            String name, ProductPrecision precision) {
        float[] bias = vectors.apply(name + ".bias");
        FloatBuffer w = weights.apply(name + ".weight");
        int cols = w.capacity() / bias.length;
        return HeadProduct.pack(w, cols, bias, IntStream.range(0, bias.length).toArray(),
                precision == ProductPrecision.BF16_DOT ? precision : ProductPrecision.F32);
    }

    /** mlp1/mlp2 (§2.5): x + [LayerNorm, Linear, SiLU, Linear, SiLU](x) (dropout is off in generation). */
    private static final class Block {
        private final Norm norm;
        private final HeadProduct up;
        private final HeadProduct down;

        Block(Function<String, FloatBuffer> weights, Function<String, float[]> vectors, String name,
                ProductPrecision precision) {
            norm = new Norm(vectors, name + ".0");
            up = dense(weights, vectors, name + ".1", precision);
            down = dense(weights, vectors, name + ".4", precision);
        }

        /** x + f(x), in place on x, which is returned; block by block ({@link #inBlocks}). */
        float[] residual(float[] x, int rows) {
            int width = down.positions();
            inBlocks(rows, up, down, (r0, n, normed, hidden) -> {
                norm.rows(x, r0, normed, n);
                up.multiplyRows(normed, 0, hidden, 0, n, true, (long) rows * up.positions());
                // f(x) goes into the normed rows' scratch, read by now and as wide (a residual maps width to width)
                down.multiplyRows(hidden, 0, normed, 0, n, true, (long) rows * width);
                for (int i = 0, at = r0 * width; i < n * width; i++) {
                    x[at + i] = x[at + i] + normed[i];
                }
            });
            return x;
        }
    }

    /** LayerNorm (§2.5) with its γ and β ({@link LayerNormRows}). */
    private static final class Norm {
        private final float[] gamma;
        private final float[] beta;

        Norm(Function<String, float[]> vectors, String name) {
            gamma = vectors.apply(name + ".weight");
            beta = vectors.apply(name + ".bias");
        }

        /** Rows [r0, r0 + n) of x into the first n rows of y, on the calling thread. */
        void rows(float[] x, int r0, float[] y, int n) {
            LayerNormRows.rows(x, r0, y, 0, n, gamma, beta, LN_EPS);
        }
    }
}
