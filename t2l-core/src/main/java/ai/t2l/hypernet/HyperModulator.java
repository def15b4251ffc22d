package ai.t2l.hypernet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.t2l.compute.Bf16Dot;
import ai.t2l.compute.FloatScan;
import ai.t2l.compute.HeadProduct;
import ai.t2l.compute.ProductPrecision;
import ai.t2l.io.Finite;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraWeights;
import ai.t2l.model.Dropout;
import ai.t2l.model.EngineMemory;
import ai.t2l.model.OwnedArrays;
import ai.t2l.model.Scalars;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The T2L hypernetwork (T2L-SPEC §2): task encoder, layer-depth and module-type embeddings, mixer, mlp1/mlp2/mlp3
 * and one head per target module, in the L, M or S variant. The forward pass is built only from DJL NDArray ops,
 * so with {@code parameters()} set to require gradients it trains through DJL's PyTorch autograd.
 *
 * <p>Reference quirks copied on purpose, because they change the numbers of released checkpoints: B comes out of
 * the head as (r, out) and is transposed (§2.6); S applies mlp2 a second time after the rotary step (§2.6); a
 * factorized recon model always adds AB_offset (the reference's {@code if self.AB_offset:} is always true, §2.9);
 * non-factorized recon with pred_z_score refuses to generate, as the reference raises (§2.9). Fixed on purpose:
 * the module-type index follows the explicit {@link HyperConfig#moduleOrder()}, not a Python set (§2.3).
 *
 * <p>Parameters live in this object's own NDManager; every forward call runs in an {@link NDScope} that frees its
 * intermediates, and its results are attached to the manager of the caller's input array.
 */
public final class HyperModulator implements AutoCloseable {
    private static final float LN_EPS = 1e-5f;
    private static final float DROPOUT = 0.05f;

    private final HyperConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> params;
    private final Map<String, NDArray> buffers;
    /** (r, M) rotary tables for the autoregressive variants without learnable positions. */
    private final NDArray rotaryCos;
    private final NDArray rotarySin;
    private boolean training;
    /**
     * Head weights packed for the Java kernel, one per module, made on the first generation ({@link HeadProduct}).
     * Kept only while nobody holds the parameters: {@link #parameters()} hands out arrays a trainer updates in place,
     * so from then on every generation packs the heads afresh.
     */
    private final Map<String, HeadProduct> packedHeads = new java.util.concurrent.ConcurrentHashMap<>();
    /** The trunk's weights for generation on Java arrays ({@link JavaTrunk}), kept under the same rule. */
    private volatile JavaTrunk packedTrunk;
    private volatile boolean parametersHandedOut;
    /** Per module: its AB_offset holds only +0.0 ({@link #offsetsZero}). */
    private final Map<String, Boolean> zeroOffsets = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean buffersHandedOut;
    /**
     * What the head products read and multiply ({@link #headPrecision}); the default from -Dt2l.hypernet.heads=f32,
     * bf16 or bf16dot.
     */
    private volatile ProductPrecision headPrecision = headsOnly(ProductPrecision.fromProperty("t2l.hypernet.heads"),
            "-Dt2l.hypernet.heads");

    private HyperModulator(HyperConfig config, NDManager manager, Map<String, NDArray> params,
            Map<String, NDArray> buffers) {
        this.config = config;
        this.manager = manager;
        this.params = params;
        this.buffers = buffers;
        if (config.variant().autoregGen && !config.learnablePosEmb()) {
            NDArray[] cs = rotaryTables(manager, config.rank(), config.mlpWidth());
            rotaryCos = cs[0];
            rotarySin = cs[1];
        } else {
            rotaryCos = null;
            rotarySin = null;
        }
    }

    /** A freshly initialised hypernetwork (Bias-HyperInit for SFT, see {@link HyperInit}). */
    public static HyperModulator create(HyperConfig config, long seed, NDManager parent) {
        return fromState(config, HyperInit.initialState(config, seed), "fresh initialisation", parent);
    }

    /**
     * A hypernetwork from a state dict in reference naming (T2L-SPEC §4.2). Strict: every expected tensor must be
     * present with its exact shape, and nothing else may be there.
     */
    public static HyperModulator fromState(HyperConfig config, Map<String, FloatTensor> state, String source,
            NDManager parent) {
        Map<String, long[]> expected = new LinkedHashMap<>(config.bufferShapes());
        expected.putAll(config.parameterShapes());
        checkState(expected, state, source, config);
        NDManager m = parent == null ? NDManager.newBaseManager("PyTorch") : parent.newSubManager();
        try {
            Map<String, NDArray> params = new LinkedHashMap<>();
            Map<String, NDArray> buffers = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> e : expected.entrySet()) {
                FloatTensor t = state.get(e.getKey());
                NDArray a = m.create(t.data(), new Shape(t.shape()));
                a.setName(e.getKey());
                (config.bufferShapes().containsKey(e.getKey()) ? buffers : params).put(e.getKey(), a);
            }
            return new HyperModulator(config, m, params, buffers);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private static void checkState(Map<String, long[]> expected, Map<String, FloatTensor> state, String source,
            HyperConfig c) {
        StringBuilder problems = new StringBuilder();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            FloatTensor t = state.get(e.getKey());
            if (t == null) {
                problems.append("\n  missing tensor '").append(e.getKey()).append("', expected shape ")
                        .append(Arrays.toString(e.getValue()));
            } else if (!Arrays.equals(t.shape(), e.getValue())) {
                problems.append("\n  tensor '").append(e.getKey()).append("' has shape ").append(t.shapeString())
                        .append(", expected ").append(Arrays.toString(e.getValue()));
            }
        }
        for (String k : state.keySet()) {
            if (!expected.containsKey(k)) {
                problems.append("\n  unexpected tensor '").append(k).append("' with shape ")
                        .append(state.get(k).shapeString());
            }
        }
        if (problems.length() > 0) {
            throw new T2lException(source + " does not fit a " + c.variant() + " hypernetwork for "
                    + c.numLayers() + " layers, modules " + c.modules() + ", rank " + c.rank() + ", latent "
                    + c.latentSize() + ", head input " + c.headInSize() + ", task embedding " + c.taskEmbDim()
                    + " (was it made for another base model or with other settings?):" + problems);
        }
    }

    public HyperConfig config() {
        return config;
    }

    /**
     * Trainable tensors, reference names, in state-dict order; call {@code setRequiresGradient(true)} to train. The
     * caller may change them in place, so generation stops caching its packed copy of the head weights from here on.
     */
    public Map<String, NDArray> parameters() {
        parametersHandedOut = true;
        packedHeads.clear();
        packedTrunk = null;
        return Collections.unmodifiableMap(params);
    }

    /**
     * AB_offset, mean_recon_target, std_recon_target (T2L-SPEC §2.9); not trained. The caller may write them in
     * place, so generation stops caching what it knows of them ({@link #offsetsZero}) from here on.
     */
    public Map<String, NDArray> buffers() {
        buffersHandedOut = true;
        return Collections.unmodifiableMap(buffers);
    }

    /**
     * Whether the module's AB_offset (A and B) holds only +0.0, as it does without a multi-task LoRA (T2L-SPEC
     * §2.7); the readout then applies it in the head's tiles ({@link AdapterReadout#readJava}). Cached per module
     * until {@link #buffers()} is handed out; false after that.
     */
    private boolean offsetsZero(String module) {
        if (buffersHandedOut) {
            return false;
        }
        return zeroOffsets.computeIfAbsent(module, m -> FloatScan.allPositiveZero(EngineMemory.readable(
                buffers.get("AB_offset.A." + m))) && FloatScan.allPositiveZero(EngineMemory.readable(
                buffers.get("AB_offset.B." + m))));
    }

    /** Training mode turns dropout (p = 0.05) on; generation always runs without it. */
    public void setTraining(boolean training) {
        this.training = training;
    }

    public boolean isTraining() {
        return training;
    }

    public long parameterCount() {
        return config.parameterCount();
    }

    /** All tensors (buffers then parameters) copied to Java arrays, for saving. */
    public Map<String, FloatTensor> stateDict() {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        buffers.forEach((k, v) -> out.put(k, new FloatTensor(v.toFloatArray(), v.getShape().getShape())));
        params.forEach((k, v) -> out.put(k, new FloatTensor(v.toFloatArray(), v.getShape().getShape())));
        return out;
    }

    // ---- forward ------------------------------------------------------------------------------------------

    /** Task encoder (§2.2): (n, taskEmbDim) → (n, E), Linear then LayerNorm. */
    public NDArray encodeTask(NDArray taskEmb) {
        checkShape(taskEmb, "task embedding", config.taskEmbDim());
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray out = layerNorm(linear(taskEmb, "task_encoder.mlp.0"), "task_encoder.mlp.1");
            return keep(out, taskEmb.getManager());
        }
    }

    /**
     * The reference {@code get_delta_weights(..., factorized=True)} (§2.6–§2.7): one module, one row per (layer,
     * task) pair. Rows are free-form, so the SFT layout (row = l*bs + j) and the recon layout both fit.
     *
     * @param layerIndices int64 (n): the layer of each row
     * @param encodedTaskEmb (n, E): the encoded task embedding of each row
     * @return A (n, r, in) and B (n, out, r); in SFT mode AB_offset is already added, as in the reference
     */
    public NDList deltaWeights(NDArray layerIndices, String module, NDArray encodedTaskEmb) {
        return deltaWeights(layerIndices, module, encodedTaskEmb, true);
    }

    /**
     * {@link #deltaWeights} with B as the head makes it, (n, r, out), not transposed: for a loss that compares
     * element by element (the reconstruction's L1), which then reads B in place instead of through a transposed copy.
     */
    public NDList rankMajorDeltaWeights(NDArray layerIndices, String module, NDArray encodedTaskEmb) {
        return deltaWeights(layerIndices, module, encodedTaskEmb, false);
    }

    private NDList deltaWeights(NDArray layerIndices, String module, NDArray encodedTaskEmb, boolean outMajorB) {
        HyperConfig.ModuleDims d = config.dims(module);
        long n = checkRows(layerIndices, encodedTaskEmb);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray idx = layerIndices.toType(DataType.INT64, false);
            NDArray[] ab = rawDeltaWeights(idx, module, encodedTaskEmb);
            NDArray a = ab[0];
            NDArray b = outMajorB ? ab[1].transpose(0, 2, 1) : ab[1]; // (n, out, r): the reference's B layout (§2.6)
            if (config.trainingTask() == TrainingTask.SFT) {
                a = a.add(gather(buffers.get("AB_offset.A." + module), idx));
                NDArray offsetB = gather(buffers.get("AB_offset.B." + module), idx); // (n, out, r)
                b = b.add(outMajorB ? offsetB : offsetB.transpose(0, 2, 1));
            }
            NDManager target = encodedTaskEmb.getManager();
            return new NDList(keep(a, target), keep(b, target));
        }
    }

    /**
     * {@link #rankMajorDeltaWeights} as the product W·xᵀ lays it out ({@link FeatureMajorLora}), for the
     * reconstruction loss: libtorch's MKL ran that form of the head faster than x·Wᵀ (256 × 512 × 32,768 on AVX2:
     * 59 against 76 ms, BENCHMARKS.md, issue 16, twenty-third session), and its row-major result would be a
     * transposed view that every reader strides through. The same sums as {@link #rankMajorDeltaWeights}, up to the
     * products' summation order. Only where {@link #hasFeatureMajorOutput()}.
     */
    public FeatureMajorLora featureMajorDeltaWeights(NDArray layerIndices, String module, NDArray encodedTaskEmb) {
        if (!hasFeatureMajorOutput()) {
            throw new IllegalStateException("the " + config.variant() + " head (" + config.trainingTask()
                    + ") has no feature-major output");
        }
        HyperConfig.ModuleDims d = config.dims(module);
        int r = config.rank();
        long n = checkRows(layerIndices, encodedTaskEmb);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray idx = layerIndices.toType(DataType.INT64, false);
            NDArray x = headInput(trunk(idx, module, encodedTaskEmb), module); // L (n, head_in); M (2n, head_in)
            NDManager target = encodedTaskEmb.getManager();
            long elementsA = (long) r * d.in();
            long elementsB = (long) r * d.out();
            if (config.variant() == Variant.L) { // features: A's r·in, then B's r·out
                NDArray yt = keep(headProductT(x, params.get("heads." + module + ".weight"),
                        params.get("heads." + module + ".bias")), target);
                return new FeatureMajorLora(new FeatureMajorLora.Half(yt, 0, n, n, elementsA),
                        new FeatureMajorLora.Half(yt, elementsA * n, n, n, elementsB));
            }
            if (d.in() == d.out()) { // one product for A's rows and B's (2n columns)
                NDArray yt = keep(headProductT(x, params.get("heads." + module + ".weight"),
                        params.get("heads." + module + ".bias")), target);
                return new FeatureMajorLora(new FeatureMajorLora.Half(yt, 0, 2 * n, n, elementsA),
                        new FeatureMajorLora.Half(yt, n, 2 * n, n, elementsB));
            }
            NDArray[] wa = keptHead(module, d.in());
            NDArray[] wb = keptHead(module, d.out());
            NDArray ya = keep(headProductT(x.get(new NDIndex(":{}", n)), wa[0], wa[1]), target);
            NDArray yb = keep(headProductT(x.get(new NDIndex("{}:", n)), wb[0], wb[1]), target);
            return new FeatureMajorLora(new FeatureMajorLora.Half(ya, 0, n, n, elementsA),
                    new FeatureMajorLora.Half(yb, 0, n, n, elementsB));
        }
    }

    /**
     * Whether {@link #featureMajorDeltaWeights} applies: the variants whose head makes a row's whole A or B at once
     * (L, M), outside SFT (whose offsets would be added).
     */
    public boolean hasFeatureMajorOutput() {
        return config.trainingTask() != TrainingTask.SFT && (config.variant() == Variant.L
                || config.variant() == Variant.M);
    }

    /**
     * A (n, r, in) and B (n, r, out) of one module straight from the head: before B's transposition and before any
     * offset. The caller owns the scope the intermediates live in.
     */
    private NDArray[] rawDeltaWeights(NDArray idx, String module, NDArray encodedTaskEmb) {
        NDArray h = trunk(idx, module, encodedTaskEmb);
        return heads(h, module, config.dims(module), idx.getShape().get(0));
    }

    /** depth and type embeddings, concatenation (§2.3–§2.4), mixer and mlp1 (§2.5): (n, M). */
    private NDArray trunk(NDArray idx, String module, NDArray enc) {
        long n = idx.getShape().get(0);
        NDArray typeIdx = OwnedArrays.of(idx.getManager(), new long[] {config.moduleOrder().indexOf(module)},
                new Shape(1)); // saved for backward: see OwnedArrays
        NDArray type = layerNorm(embed(typeIdx, "layer_type_encoder.0.weight"), "layer_type_encoder.1")
                .broadcast(new Shape(n, config.positionDim()));
        return trunk(idx, type, enc);
    }

    /** {@link #trunk(NDArray, String, NDArray)} with the type embedding of each row given: (n, positionDim). */
    private NDArray trunk(NDArray idx, NDArray type, NDArray enc) {
        NDArray depth = layerNorm(embed(idx, "layer_depth_encoder.0.weight"), "layer_depth_encoder.1");
        NDArray x = NDArrays.concat(new NDList(enc, depth, type), 1);
        x = dropout(x);
        x = dropout(silu(linear(x, "mixer.1")));
        x = dropout(silu(linear(x, "mixer.4")));
        return residual(x, "mlp1");
    }

    /** The variant-specific part (§2.6): A (n, r, in) and B (n, r, out), both before transposition. */
    private NDArray[] heads(NDArray h, String module, HyperConfig.ModuleDims d, long n) {
        int r = config.rank();
        NDArray x = headInput(h, module);
        switch (config.variant()) {
            case L -> {
                NDArray y = head(x, module); // (n, r*(in+out))
                NDArray a = y.get(":, :" + (r * d.in())).reshape(n, r, d.in());
                NDArray b = y.get(":, " + (r * d.in()) + ":").reshape(n, r, d.out());
                return new NDArray[] {a, b};
            }
            case L_AUTOREG -> {
                NDArray y = head(x, module); // (n, r, in+out)
                return new NDArray[] {y.get(":, :, :" + d.in()), y.get(":, :, " + d.in() + ":")};
            }
            default -> { // M and S: one head shared by A and B; x holds A's rows then B's
                if (!config.variant().autoregGen) {
                    if (d.in() == d.out()) {
                        NDArray y = head(x, module).reshape(2 * n, r, -1); // (2n, r, in)
                        return new NDArray[] {y.get(new NDIndex(":{}", n)), y.get(new NDIndex("{}:", n))};
                    }
                    return new NDArray[] {rankedHead(x.get(new NDIndex(":{}", n)), module, d.in()),
                            rankedHead(x.get(new NDIndex("{}:", n)), module, d.out())};
                }
                if (d.in() == d.out()) {
                    NDArray y = head(x, module, d.in()); // (2n, r, in)
                    return new NDArray[] {y.get(new NDIndex(":{}", n)), y.get(new NDIndex("{}:", n))};
                }
                // the reference computes max(in, out) features and slices; only the kept head rows are computed here
                return new NDArray[] {head(x.get(new NDIndex(":{}", n)), module, d.in()),
                        head(x.get(new NDIndex("{}:", n)), module, d.out())};
            }
        }
    }

    /**
     * What the head multiplies (§2.6): L (n, head_in); L_AUTOREG (n, r, head_in); M (2n, head_in) and S (2n, r,
     * head_in), A's rows (selected by out_emb A) first, then B's.
     */
    private NDArray headInput(NDArray h, String module) {
        int r = config.rank();
        long n = h.getShape().get(0);
        switch (config.variant()) {
            case L -> {
                return mlp3(residual(h, "mlp2"));
            }
            case L_AUTOREG -> {
                NDArray z = h.expandDims(1).broadcast(new Shape(n, r, config.mlpWidth()));
                z = config.learnablePosEmb() ? residual(z.add(positionEmbedding()), "mlp2")
                        : residual(rotary(z), "mlp2");
                return mlp3(z);
            }
            default -> { // M and S: one head shared by A and B, selected by out_emb (§2.6)
                return sharedHeadInput(NDArrays.concat(new NDList(h.add(outEmbedding(module, "A")),
                        h.add(outEmbedding(module, "B"))), 0));
            }
        }
    }

    /** LayerNorm(out_emb.{module}.{A|B}) (§2.6): (M). */
    private NDArray outEmbedding(String module, String ab) {
        return layerNorm(params.get("out_emb." + module + "." + ab), "out_emb_norm");
    }

    /**
     * M and S from the trunk rows with their out_emb added, A's rows and B's together (2n rows): every weight is read
     * once per call instead of twice, and half the engine calls; row-wise ops, so the same numbers.
     */
    private NDArray sharedHeadInput(NDArray withOutEmb) {
        int r = config.rank();
        long rows = withOutEmb.getShape().get(0);
        NDArray z = residual(withOutEmb, "mlp2"); // (2n, M)
        if (!config.variant().autoregGen) {
            return mlp3(z);
        }
        z = z.expandDims(1).broadcast(new Shape(rows, r, config.mlpWidth()));
        // learnable: head_in + mlp2(pos_emb(k)); rotary: QUIRK §2.6, mlp2 runs a second time
        z = config.learnablePosEmb() ? z.add(residual(positionEmbedding().expandDims(0), "mlp2"))
                : residual(rotary(z), "mlp2");
        return mlp3(z); // (2n, r, head_in)
    }

    /** mlp3 (§2.5): LayerNorm, Linear(M, 4M), SiLU, Dropout, Linear(4M, head_in), SiLU. */
    private NDArray mlp3(NDArray x) {
        x = layerNorm(x, "mlp3.0");
        x = dropout(silu(linear(x, "mlp3.1")));
        return silu(linear(x, "mlp3.4"));
    }

    /** mlp1/mlp2 (§2.5): x + [LayerNorm, Linear, SiLU, Dropout, Linear, SiLU, Dropout](x). */
    private NDArray residual(NDArray x, String block) {
        NDArray f = layerNorm(x, block + ".mlp.0");
        f = dropout(silu(linear(f, block + ".mlp.1")));
        f = dropout(silu(linear(f, block + ".mlp.4")));
        return x.add(f);
    }

    private NDArray head(NDArray x, String module) {
        return headProduct(x, params.get("heads." + module + ".weight"), params.get("heads." + module + ".bias"));
    }

    /**
     * M's head for one half of its rows: (rows, r, features), the first {@code features} of each rank's max(in, out)
     * outputs. The reference computes all r·max(in, out) and slices (§2.6); only the kept head rows are multiplied
     * here, the same sums. For the narrower half (v_proj's B: 1,024 of 4,096 per rank on the Mistral-7B shape) that
     * is a quarter of the product forward and backward, whose discarded outputs would only get zero gradients.
     */
    private NDArray rankedHead(NDArray x, String module, int features) {
        NDArray[] kept = keptHead(module, features);
        return headProduct(x, kept[0], kept[1]).reshape(x.getShape().get(0), config.rank(), features);
    }

    /**
     * M's head weight and bias (null without) cut to the first {@code features} outputs of each rank: the whole head
     * when features = max(in, out), else a copy of the kept rows.
     */
    private NDArray[] keptHead(String module, int features) {
        int r = config.rank();
        NDArray w = params.get("heads." + module + ".weight"); // (r·max, head_in), rank-major
        NDArray b = params.get("heads." + module + ".bias");
        long max = w.getShape().get(0) / r;
        if (features == max) {
            return new NDArray[] {w, b};
        }
        NDArray kept = w.reshape(r, max, -1).get(new NDIndex(":, :{}, :", features)).reshape(r * features, -1);
        NDArray keptBias = b == null ? null : b.reshape(r, max).get(new NDIndex(":, :{}", features)).reshape(-1);
        return new NDArray[] {kept, keptBias};
    }

    /** The first {@code features} outputs of the head only (rows of its weight: a contiguous view, no copy). */
    private NDArray head(NDArray x, String module, int features) {
        NDArray w = params.get("heads." + module + ".weight");
        if (w.getShape().get(0) == features) {
            return head(x, module);
        }
        NDArray b = params.get("heads." + module + ".bias");
        return headProduct(x, w.get(new NDIndex(":{}", features)), b == null ? null : b.get(new NDIndex(":{}", features)));
    }

    /**
     * Linear(x) = x·Wᵀ + b for the big head weights. With a bias, computed as (W·xᵀ)ᵀ + b: the same sums, but
     * libtorch's product with the tall weight on the left took 35–40% less CPU than its addmm for these skinny shapes
     * (32 × 512 × 65,536: 72 vs 116 ms of CPU per call, BENCHMARKS.md), and the add writes the transposed view out
     * row-major. Without a bias (the reconstruction heads) as x·Wᵀ: the transposed view would stay as it is, and
     * every reader of A and B then strides through it a whole column apart (the reconstruction step on the
     * Mistral-7B shape copied its 54 MB of A and B that way in 55 ms; 0.40–0.42 → 0.35–0.37 s per step, BENCHMARKS.md,
     * issue 16, fourteenth session).
     */
    private static NDArray headProduct(NDArray x, NDArray w, NDArray b) {
        Shape s = x.getShape();
        int d = s.dimension();
        NDArray x2 = d == 2 ? x : x.reshape(-1, s.get(d - 1));
        NDArray y = b == null ? x2.matMul(w.transpose()) : w.matMul(x2.transpose()).transpose().add(b);
        return d == 2 ? y : y.reshape(s.slice(0, d - 1).add(w.getShape().get(0)));
    }

    /** W·xᵀ (+ b down the columns): x (rows, head_in) → (outputs, rows), contiguous. */
    private static NDArray headProductT(NDArray x, NDArray w, NDArray b) {
        NDArray yt = w.matMul(x.transpose());
        return b == null ? yt : yt.add(b.reshape(-1, 1));
    }

    /** Learnable positions (§2.6): LayerNorm(Embedding(r, M)(0..r−1)), shape (r, M). */
    private NDArray positionEmbedding() {
        NDArray pos = manager.arange(0, config.rank(), 1, DataType.INT64);
        return layerNorm(embed(pos, "pos_emb.0.weight"), "pos_emb.1");
    }

    /** Llama rotary embedding over the trunk width, positions 0..r−1: x*cos + rotate_half(x)*sin (§2.6). */
    private NDArray rotary(NDArray x) {
        long half = config.mlpWidth() / 2;
        NDArray rotated = NDArrays.concat(new NDList(x.get(":, :, " + half + ":").neg(), x.get(":, :, :" + half)), 2);
        return x.mul(rotaryCos).add(rotated.mul(rotarySin));
    }

    /**
     * cos/sin tables as transformers 4.46 {@code LlamaRotaryEmbedding} builds them in float32: inv_freq =
     * 1/(10000^(arange(0, M, 2)/M)), freqs = position × inv_freq, emb = cat(freqs, freqs).
     */
    private static NDArray[] rotaryTables(NDManager m, int r, int width) {
        NDArray exponent = m.arange(0, width, 2, DataType.INT64).toType(DataType.FLOAT32, false).div(width);
        NDArray invFreq = m.create(1f).div(m.create(10000f).pow(exponent));
        NDArray positions = m.arange(0, r, 1, DataType.INT64).toType(DataType.FLOAT32, false);
        NDArray freqs = positions.reshape(r, 1).matMul(invFreq.reshape(1, -1));
        NDArray emb = NDArrays.concat(new NDList(freqs, freqs), 1);
        return new NDArray[] {emb.cos(), emb.sin()};
    }

    private NDArray linear(NDArray x, String prefix) {
        return Linear.linear(x, params.get(prefix + ".weight"), params.get(prefix + ".bias")).singletonOrThrow();
    }

    private NDArray layerNorm(NDArray x, String prefix) {
        NDArray w = params.get(prefix + ".weight");
        return LayerNorm.layerNorm(x, w.getShape(), w, params.get(prefix + ".bias"), LN_EPS).singletonOrThrow();
    }

    private NDArray embed(NDArray idx, String weight) {
        return Embedding.embedding(idx, params.get(weight), SparseFormat.DENSE).singletonOrThrow();
    }

    /** rows of a (L, ...) buffer for the given layer indices */
    private static NDArray gather(NDArray table, NDArray idx) {
        Shape s = table.getShape();
        NDArray flat = table.reshape(s.get(0), -1);
        return Embedding.embedding(idx, flat, SparseFormat.DENSE).singletonOrThrow()
                .reshape(new Shape(idx.getShape().get(0)).addAll(s.slice(1)));
    }

    /** In place in generation, on the engine while training (see {@link ai.t2l.model.Activations#silu}). */
    private static NDArray silu(NDArray x) {
        return ai.t2l.model.Activations.silu(x);
    }

    private NDArray dropout(NDArray x) {
        return training ? Dropout.apply(x, DROPOUT) : x;
    }

    /** Survives the enclosing NDScope and belongs to the caller's manager. */
    private static NDArray keep(NDArray a, NDManager target) {
        NDScope.unregister(a);
        a.attach(target);
        return a;
    }

    /** The number of rows, after checking there is one layer index per encoded task embedding. */
    private long checkRows(NDArray layerIndices, NDArray encodedTaskEmb) {
        checkShape(encodedTaskEmb, "encoded task embedding", config.encodedTaskDim());
        long n = layerIndices.getShape().get(0);
        if (encodedTaskEmb.getShape().get(0) != n || layerIndices.getShape().dimension() != 1) {
            throw new IllegalArgumentException("layer indices " + layerIndices.getShape() + " and encoded task "
                    + "embeddings " + encodedTaskEmb.getShape() + " must have the same number of rows");
        }
        return n;
    }

    private static void checkShape(NDArray a, String what, int width) {
        Shape s = a.getShape();
        if (s.dimension() != 2 || s.get(1) != width) {
            throw new IllegalArgumentException(what + " must have shape (n, " + width + "), got " + s);
        }
    }

    // ---- generation ---------------------------------------------------------------------------------------

    /**
     * One adapter for one task (reference {@code gen_lora} + {@code convert_to_raw_scale}, §2.7, §2.9, §4.4):
     * all layers, every target module, dropout off.
     *
     * @param taskEmbedding the normalised description embedding (norm √dim), length taskEmbDim
     */
    public LoraWeights generate(float[] taskEmbedding) {
        return generate(List.of(taskEmbedding)).get(0);
    }

    /**
     * One adapter per task embedding, all in one pass: the rows of every task and layer go through the network
     * together, so each head weight is read once per call rather than once per adapter (the head products dominate:
     * BENCHMARKS.md). Row-wise the same arithmetic as one task at a time.
     */
    public List<LoraWeights> generate(List<float[]> taskEmbeddings) {
        return generate(taskEmbeddings, null);
    }

    /** {@link #generate(List)}, adding each phase's wall time to {@code phases} (null: not measured). */
    public List<LoraWeights> generate(List<float[]> taskEmbeddings, GenerationPhases phases) {
        int dim = config.taskEmbDim();
        if (taskEmbeddings.isEmpty()) {
            return List.of();
        }
        float[] flat = new float[taskEmbeddings.size() * dim];
        for (int t = 0; t < taskEmbeddings.size(); t++) {
            float[] e = taskEmbeddings.get(t);
            if (e.length != dim) {
                String which = taskEmbeddings.size() == 1 ? "" : " " + (t + 1) + " of " + taskEmbeddings.size();
                throw new T2lException("task embedding" + which + " has " + e.length + " values; this "
                        + "hypernetwork expects " + dim + " (embedding model " + config.embModel() + ")");
            }
            System.arraycopy(e, 0, flat, t * dim, dim);
        }
        Finite.require(flat, null, "task embedding");
        Generated g;
        try (NDManager sub = manager.newSubManager()) {
            NDArray emb = sub.create(flat, new Shape(taskEmbeddings.size(), dim));
            GenerationPhases.enter(phases, GenerationPhases.Phase.ENCODE);
            NDArray encoded = encodeTask(emb);
            g = generateEncoded(encoded, javaHeads(), phases);
        }
        GenerationPhases.enter(phases, GenerationPhases.Phase.CHECK);
        // finite in, non-finite out: the hypernetwork's own weights overflowed (issue 10 item 8). The readout checked
        // every row as it finished it; only a bad adapter is scanned again, so the error names the first bad tensor.
        if (!g.allFinite()) {
            for (LoraWeights adapter : g.adapters()) {
                adapter.pairs().forEach((site, p) -> {
                    String where = "generated adapter, layer " + site.layer() + " " + site.module() + " lora_";
                    Finite.require(p.a(), where + "A");
                    Finite.require(p.b(), where + "B");
                });
            }
        }
        GenerationPhases.stop(phases);
        return g.adapters();
    }

    /**
     * {@link #generate} from already encoded task embeddings (tasks, E); the results live in Java arrays. The trunk
     * runs on Java arrays ({@link JavaTrunk}), the head products on the Java kernel {@link HeadProduct}, which hands
     * each output block to {@link JavaHeads} to be put in its place in the adapters (B transposed on the way), and
     * the offsets and the raw-scale conversion follow in one pass ({@link AdapterReadout}): float32 operations in the
     * order of {@link #deltaWeights} + {@link #toRawScale}. The head products are most of the time (BENCHMARKS.md,
     * issue 16); no head output is ever written to, sliced in or copied out of engine memory.
     */
    public List<LoraWeights> generateEncoded(NDArray encoded) {
        return generateEncoded(encoded, javaHeads());
    }

    /**
     * The Java head kernel when it runs here, is not switched off, and its packed copy of the head weights takes at
     * most half of the maximum heap (the launcher's smallest, 768 MB for a bf16 base model, holds L's 218 MB for
     * Mistral-7B); otherwise the engine's products, slower but without the copy. The rule depends on the
     * configuration only, not on the heap's momentary use, so a hypernetwork takes the same path on every call
     * (the two paths' sums differ in the last bits).
     */
    private boolean javaHeads() {
        if (!HeadProduct.fast() || ENGINE_HEADS) {
            return false;
        }
        long need = 0;
        for (String module : config.moduleOrder()) {
            long rows = (config.headOutSize(module) + HeadProduct.FEATURES_PER_PANEL - 1)
                    / HeadProduct.FEATURES_PER_PANEL * HeadProduct.FEATURES_PER_PANEL;
            need += (headPrecision == ProductPrecision.F32 ? 4 : 2) * rows * config.headInSize() + 4 * rows;
        }
        return need <= Runtime.getRuntime().maxMemory() / 2;
    }

    /** Refuses int8dot ({@code where} names the setting): it is for int8 weights' products, and heads are float32. */
    private static ProductPrecision headsOnly(ProductPrecision precision, String where) {
        if (precision == ProductPrecision.INT8_DOT) {
            throw new T2lException(where + ": int8dot is for int8 base-model weights (--products int8dot); the heads"
                    + " take f32, bf16 or bf16dot");
        }
        return precision;
    }

    /**
     * What generation's head products read and multiply: {@link ProductPrecision#F32} (the reference's numbers, the
     * default unless -Dt2l.hypernet.heads says otherwise), {@link ProductPrecision#BF16} (the head weights rounded to
     * bfloat16, nearest even: half the bytes for the Java kernel to stream, every sum still float32) or
     * {@link ProductPrecision#BF16_DOT} (weights and activations of the heads and of the trunk's linear layers rounded
     * to bfloat16, AVX512_BF16 dot products through a native library). The adapters then differ from the reference's
     * by the rounding; docs/PERFORMANCE.md gives the measured errors. Applies where the Java head kernel runs
     * ({@link #generateEncoded(NDArray)}); the engine's products stay float32.
     *
     * @throws T2lException for BF16_DOT where the native library does not run, saying why, and for INT8_DOT
     */
    public void headPrecision(ProductPrecision precision) {
        headsOnly(precision, "head precision");
        if (precision == ProductPrecision.BF16_DOT) {
            Bf16Dot.require("head precision bf16dot");
        }
        synchronized (this) { // javaTrunk() packs under this lock
            if (precision != headPrecision) {
                headPrecision = precision;
                packedHeads.clear();
                packedTrunk = null; // bf16dot rounds the trunk's products too
            }
        }
    }

    /** Bytes of the head weights packed for the Java kernel that this hypernetwork keeps (0 before generating). */
    public long packedHeadBytes() {
        return packedHeads.values().stream().mapToLong(HeadProduct::bytes).sum();
    }

    /**
     * Off with -Dt2l.hypernet.engineHeads=true: the trunk and the head products on the engine, as before issue 16
     * (for paired A/B runs of one jar).
     */
    private static final boolean ENGINE_HEADS = Boolean.getBoolean("t2l.hypernet.engineHeads");

    /**
     * @param javaHeads the trunk ({@link JavaTrunk}) and the head products ({@link HeadProduct}, outputs placed
     *     straight into the adapters: {@link JavaHeads}) on Java arrays instead of the engine
     */
    List<LoraWeights> generateEncoded(NDArray encoded, boolean javaHeads) {
        return generateEncoded(encoded, javaHeads, null).adapters();
    }

    /** Generated adapters, and whether all their values are finite ({@link AdapterReadout#allFinite()}). */
    private record Generated(List<LoraWeights> adapters, boolean allFinite) {}

    private Generated generateEncoded(NDArray encoded, boolean javaHeads, GenerationPhases phases) {
        checkCanGenerate();
        boolean was = training;
        training = false;
        int tasks = (int) encoded.getShape().get(0);
        AdapterReadout readout = new AdapterReadout(config, tasks);
        try {
            if (javaHeads) {
                GenerationPhases.enter(phases, GenerationPhases.Phase.PACK);
                JavaTrunk trunk = javaTrunk();
                GenerationPhases.enter(phases, GenerationPhases.Phase.TRUNK);
                float[][] xs = trunk.headInputs(encoded.toFloatArray(), tasks);
                List<String> modules = config.moduleOrder();
                for (int j = 0; j < modules.size(); j++) {
                    GenerationPhases.enter(phases, GenerationPhases.Phase.PACK);
                    HeadProduct head = packedHead(modules.get(j));
                    readout.readJava(modules.get(j), xs[j], head, buffers, offsetsZero(modules.get(j)), phases);
                }
            } else {
                generateOnEngine(encoded, readout, phases);
            }
            return new Generated(readout.adapters(), readout.allFinite());
        } finally {
            training = was;
        }
    }

    /** The trunk and heads on the engine, one module at a time (as training computes them). */
    private void generateOnEngine(NDArray encoded, AdapterReadout readout, GenerationPhases phases) {
        int tasks = (int) encoded.getShape().get(0);
        int layers = config.numLayers();
        try (NDManager sub = manager.newSubManager()) {
            long[] layerOf = new long[tasks * layers]; // row t*L + l: task t, layer l
            for (int i = 0; i < layerOf.length; i++) {
                layerOf[i] = i % layers;
            }
            NDArray idx = sub.create(layerOf);
            NDArray rows = encoded.expandDims(1).broadcast(new Shape(tasks, layers, config.encodedTaskDim()))
                    .reshape(tasks * layers, config.encodedTaskDim());
            for (String module : config.moduleOrder()) {
                try (NDScope scope = new NDScope()) { // this module's intermediates go before the next one's
                    scope.suppressNotUsedWarning();
                    GenerationPhases.enter(phases, GenerationPhases.Phase.TRUNK);
                    NDArray h = trunk(idx, module, rows);
                    GenerationPhases.enter(phases, GenerationPhases.Phase.HEADS); // with mlp2/mlp3 here
                    NDArray[] ab = heads(h, module, config.dims(module), tasks * layers);
                    GenerationPhases.enter(phases, GenerationPhases.Phase.READOUT);
                    readout.read(module, ab[0], ab[1], buffers);
                }
            }
        }
    }

    /** The trunk for generation on Java arrays: cached, unless the parameters were handed out (see packedHeads). */
    private JavaTrunk javaTrunk() {
        if (parametersHandedOut) {
            return packTrunk();
        }
        synchronized (this) { // concurrent first calls pack once
            if (packedTrunk == null) {
                packedTrunk = packTrunk();
            }
            return packedTrunk;
        }
    }

    /** The embedding tables after their LayerNorms, from the engine's own ops; the weights read in place. */
    private JavaTrunk packTrunk() {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            List<String> modules = config.moduleOrder();
            NDArray layerIdx = manager.arange(0, config.numLayers(), 1, DataType.INT64);
            NDArray typeIdx = manager.arange(0, modules.size(), 1, DataType.INT64);
            float[] depth = layerNorm(embed(layerIdx, "layer_depth_encoder.0.weight"), "layer_depth_encoder.1")
                    .toFloatArray();
            float[] type = layerNorm(embed(typeIdx, "layer_type_encoder.0.weight"), "layer_type_encoder.1")
                    .toFloatArray();
            float[][] outA = new float[modules.size()][];
            float[][] outB = new float[modules.size()][];
            if (config.variant().sharedAbHead) {
                for (int j = 0; j < modules.size(); j++) {
                    outA[j] = outEmbedding(modules.get(j), "A").toFloatArray();
                    outB[j] = outEmbedding(modules.get(j), "B").toFloatArray();
                }
            }
            float[] pos = config.learnablePosEmb() ? positionEmbedding().toFloatArray() : null;
            JavaTrunk.Tables tables = new JavaTrunk.Tables(depth, type, outA, outB, pos,
                    rotaryCos == null ? null : rotaryCos.toFloatArray(),
                    rotarySin == null ? null : rotarySin.toFloatArray());
            return new JavaTrunk(config, tables, name -> EngineMemory.readable(params.get(name)),
                    name -> params.get(name).toFloatArray(), headPrecision);
        }
    }

    /** The module's head packed for the Java kernel: cached, unless the parameters were handed out (see field). */
    private HeadProduct packedHead(String module) {
        return parametersHandedOut ? packHead(module) : packedHeads.computeIfAbsent(module, this::packHead);
    }

    private HeadProduct packHead(String module) {
        NDArray b = params.get("heads." + module + ".bias");
        return JavaHeads.pack(config, module, EngineMemory.readable(params.get("heads." + module + ".weight")),
                b == null ? null : b.toFloatArray(), headPrecision);
    }

    /**
     * {@code convert_to_raw_scale} for recon checkpoints (§2.9); SFT outputs are already at raw scale. {@code w} holds
     * all layers in order, (L, r, in) or (L, out, r), as {@code gen_lora} produces them.
     * Factorized: z-score de-normalisation (if pred_z_score) then + AB_offset; otherwise ÷ √delta_w_scaling.
     */
    public NDArray toRawScale(NDArray w, String ab, String module) {
        if (config.trainingTask() != TrainingTask.RECON) {
            return w;
        }
        checkCanGenerate();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray out = w;
            if (!config.factorized()) {
                out = Scalars.div(w, (float) Math.sqrt(config.deltaWScaling()));
            } else {
                if (config.predZScore()) {
                    NDArray std = buffers.get("std_recon_target." + ab + "." + module);
                    NDArray mean = buffers.get("mean_recon_target." + ab + "." + module);
                    out = out.mul(std.add(1e-10f)).add(mean);
                }
                out = out.add(buffers.get("AB_offset." + ab + "." + module));
            }
            return keep(out, w.getManager());
        }
    }

    private void checkCanGenerate() {
        if (config.trainingTask() == TrainingTask.RECON && !config.factorized() && config.predZScore()) {
            // QUIRK §2.9: the reference raises NotImplementedError here; a checkpoint like this cannot make LoRAs
            throw new T2lException("this recon hypernetwork is non-factorized with pred_z_score, a combination "
                    + "the reference cannot generate LoRAs from (T2L-SPEC §2.9)");
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
