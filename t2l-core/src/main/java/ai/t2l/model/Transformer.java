package ai.t2l.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.t2l.compute.Autograd;
import ai.t2l.compute.CachedAttention;
import ai.t2l.compute.EngineThreads;
import ai.t2l.compute.F32Matrix;
import ai.t2l.compute.MemoryCheck;
import ai.t2l.compute.Staging;
import ai.t2l.compute.WeightMatrix;
import ai.t2l.compute.WeightPrecision;
import ai.t2l.io.DType;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.ModelWeights;
import ai.t2l.io.T2lException;
import ai.t2l.io.TensorSource;
import ai.t2l.lora.LoraBatch;
import ai.t2l.lora.LoraWeights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * A decoder-only transformer (Llama, Mistral, Gemma 2, Qwen 2) following HF transformers 4.46 eager attention.
 * Activations are float32 engine arrays; the big matrices are {@link WeightMatrix}es held in the precision asked for
 * at load ({@link WeightPrecision}: float32 engine arrays, memory-mapped bf16/f16, or int8 blocks), always with
 * float32 accumulation. Owns its weights: close it (try-with-resources).
 */
public final class Transformer implements AutoCloseable {
    private final ModelConfig config;
    private final Architecture arch;
    private final NDManager manager;
    private final WeightMatrix embed; // (vocab, hidden)
    private final List<Layer> layers;
    private final NDArray finalNorm; // (hidden)
    private final WeightMatrix lmHead; // (vocab, hidden); the embedding itself when tied
    private final Rope rope;
    private final UnaryOperator<NDArray> activation;
    private final long weightBytes;
    private final Map<String, NDArray> arrays; // HF name -> every float32 engine array (norms, biases, f32 matrices)
    private final Map<String, WeightMatrix> matrices; // HF name -> every big matrix (tied: the embedding once)
    private final boolean allF32;
    /** Adapters "merged" into 16/8-bit weights: applied unmerged in {@link #project} (see {@link #merge}). */
    private final List<LoraBatch> overlays = new CopyOnWriteArrayList<>();

    private Transformer(ModelConfig config, NDManager manager, Map<String, NDArray> arrays,
            Map<String, WeightMatrix> matrices, String source) {
        this.config = config;
        this.arch = Architecture.of(config.family());
        this.manager = manager;
        this.embed = matrices.get("model.embed_tokens.weight");
        this.finalNorm = arrays.get("model.norm.weight");
        this.lmHead = config.tieWordEmbeddings() ? embed : matrices.get("lm_head.weight");
        this.rope = new Rope(config);
        this.activation = Activations.of(config.hiddenAct(), source);
        this.allF32 = matrices.values().stream().allMatch(m -> m instanceof F32Matrix);
        Map<String, NDArray> named = new LinkedHashMap<>();
        long bytes = 0;
        for (String name : TensorLayout.of(config).keySet()) {
            WeightMatrix m = matrices.get(name);
            if (m != null) {
                bytes += m.bytes();
                if (m instanceof F32Matrix f) {
                    named.put(name, f.array());
                }
            } else {
                NDArray a = arrays.get(name);
                bytes += 4L * a.getShape().size();
                named.put(name, a);
            }
        }
        this.weightBytes = bytes;
        this.arrays = java.util.Collections.unmodifiableMap(named);
        this.matrices = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(matrices));
        List<Layer> ls = new ArrayList<>();
        for (int l = 0; l < config.numLayers(); l++) {
            Map<String, WeightMatrix> proj = new LinkedHashMap<>();
            Map<String, NDArray> bias = new LinkedHashMap<>();
            for (String m : TensorLayout.PROJECTIONS) {
                proj.put(m, matrices.get(TensorLayout.projection(l, m)));
                NDArray b = arrays.get(TensorLayout.projectionBias(l, m));
                if (b != null) {
                    bias.put(m, b);
                }
            }
            ls.add(new Layer(proj, bias, arrays.get(TensorLayout.norm(l, "input_layernorm")),
                    arch.postAttentionNorm() == null ? null : arrays.get(TensorLayout.norm(l, arch.postAttentionNorm())),
                    arrays.get(TensorLayout.norm(l, arch.preMlpNorm())),
                    arch.postMlpNorm() == null ? null : arrays.get(TensorLayout.norm(l, arch.postMlpNorm()))));
        }
        this.layers = List.copyOf(ls);
        allowPanels(productMatrices());
    }

    /** The float32 matrices products run on ({@link #matricesOf}). */
    private List<F32Matrix> productMatrices() {
        return matricesOf(F32Matrix.class);
    }

    /** The matrices of one kind products run on: every projection and the LM head (tied: the embedding), each once. */
    private <T extends WeightMatrix> List<T> matricesOf(Class<T> kind) {
        java.util.Set<WeightMatrix> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        List<T> out = new ArrayList<>();
        for (Layer layer : layers) {
            for (WeightMatrix m : layer.projections().values()) {
                if (kind.isInstance(m) && seen.add(m)) {
                    out.add(kind.cast(m));
                }
            }
        }
        if (kind.isInstance(lmHead) && seen.add(lmHead)) {
            out.add(kind.cast(lmHead));
        }
        return out;
    }

    /**
     * What the float32 matrices' panel products (batched decode, prompts; {@link F32Matrix#panelPrecision}), the bf16
     * matrices' products of 2 rows or more ({@link ai.t2l.compute.HalfMatrix#productPrecision}) and the int8 matrices'
     * products ({@link ai.t2l.compute.Int8Matrix#productPrecision}) multiply in: float32, bf16 dot products, or int8
     * dot products for int8 weights (docs/PERFORMANCE.md and docs/WEIGHTS.md give the errors).
     */
    public void productPrecision(ai.t2l.compute.ProductPrecision precision) {
        productMatrices().forEach(f -> f.panelPrecision(precision));
        matricesOf(ai.t2l.compute.HalfMatrix.class).forEach(h -> h.productPrecision(precision));
        matricesOf(ai.t2l.compute.Int8Matrix.class).forEach(m -> m.productPrecision(precision));
    }

    /** Heap bytes of the float32 matrices' panel copies packed so far (batched decode, {@link F32Matrix}). */
    public long panelBytes() {
        return productMatrices().stream().mapToLong(F32Matrix::panelBytes).sum();
    }

    /**
     * Batched decode's panel copies (F32Matrix: about a third less time per batch-8 step on AVX2) cost the matrices'
     * bytes again on the heap: allowed when every float32 matrix a Java product may run on fits in half the maximum
     * heap, as the hypernetwork's head copies (the launcher's default 8 GB holds §2's 0.4 GB; a float32 model of more
     * than about a billion parameters keeps the row-major kernel). Decided from the configuration only, so a model
     * takes the same path on every call.
     */
    private static void allowPanels(List<F32Matrix> products) {
        long bytes = 0;
        for (F32Matrix f : products) {
            bytes += f.javaProductFor(F32Matrix.PANEL_ROWS) ? f.bytes() : 0;
        }
        boolean fits = F32Matrix.panelsPayHere() && bytes <= Runtime.getRuntime().maxMemory() / 2;
        for (F32Matrix f : products) {
            f.allowPanels(fits && f.javaProductFor(F32Matrix.PANEL_ROWS));
        }
    }

    /**
     * Loads a Hugging Face model folder (config.json + safetensors) with every weight widened to float32: the
     * training path, and the one every golden test was made against.
     */
    public static Transformer load(Path dir) {
        return load(dir, WeightPrecision.F32);
    }

    /** Loads a model folder holding its big matrices in {@code precision}, after checking that they fit. */
    public static Transformer load(Path dir, WeightPrecision precision) {
        return load(dir, precision, MemoryCheck.Available.ofThisMachine());
    }

    /** As {@link #load(Path, WeightPrecision)} against a given amount of memory (tests). */
    public static Transformer load(Path dir, WeightPrecision precision, MemoryCheck.Available available) {
        ModelConfig config = ModelConfig.read(dir);
        try (ModelWeights weights = ModelWeights.open(dir)) {
            Size size = size(config, weights);
            MemoryCheck.check(dir.toString(), size.matrixParams(), size.smallBytes(), precision, size.storedHalf(),
                    available);
            return create(config, weights, precision);
        }
    }

    /**
     * A model folder's size from its headers alone (nothing mapped or read): weights of the big matrices, bytes of
     * the float32 rest, and whether every matrix is stored in 16 bits (used in place under {@code --weights auto}).
     */
    public record Size(long matrixParams, long smallBytes, boolean storedHalf) {}

    /** {@link Size} of the folder {@code dir}: what the launcher sizes the heap from (cli HeapAdvice). */
    public static Size size(Path dir) {
        ModelConfig config = ModelConfig.read(dir);
        try (ModelWeights weights = ModelWeights.open(dir)) {
            return size(config, weights);
        }
    }

    private static Size size(ModelConfig config, ModelWeights weights) {
        checkLayout(config, weights);
        return size(config, name -> {
            DType t = weights.dtype(name);
            return t == DType.BF16 || t == DType.F16;
        });
    }

    /**
     * {@link Size} of a model of this config stored in 16 bits, before its folder exists (a {@code bench decode
     * --shape} run that writes it first: the launcher sizes the heap from the shape's config instead).
     */
    public static Size sizeStoredHalf(ModelConfig config) {
        return size(config, name -> true);
    }

    private static Size size(ModelConfig config, java.util.function.Predicate<String> storedHalf) {
        long params = 0;
        long small = 0;
        boolean half = true;
        for (Map.Entry<String, long[]> e : TensorLayout.of(config).entrySet()) {
            long n = FloatTensor.numel(e.getValue());
            if (isMatrix(e.getKey())) {
                params += n;
                half &= storedHalf.test(e.getKey());
            } else {
                small += 4 * n;
            }
        }
        return new Size(params, small, half);
    }

    /**
     * Builds a model from named tensors (HF key names, any float dtype: they arrive widened to float32). Every
     * tensor of {@link TensorLayout#of} must be present with its exact shape; others are ignored.
     */
    public static Transformer create(ModelConfig config, TensorSource weights) {
        return create(config, weights, WeightPrecision.F32);
    }

    /**
     * Builds a model whose big matrices are held in {@code precision} (16-bit ones mapped in place when the source
     * is a file); norms and biases are float32 engine arrays.
     */
    public static Transformer create(ModelConfig config, TensorSource weights, WeightPrecision precision) {
        Activations.of(config.hiddenAct(), weights.describe() + "/config.json"); // fail before reading gigabytes
        Architecture arch = Architecture.of(config.family());
        Map<String, long[]> layout = checkLayout(config, weights);
        NDManager manager = NDManager.newBaseManager("PyTorch");
        // int8 from a 16-bit file: the disk reads the next matrices while the cores quantize this one
        try (Readahead ahead = precision == WeightPrecision.INT8
                ? new Readahead(weights, MatrixLoader.mappedHalf(weights, layout)) : null) {
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            Map<String, WeightMatrix> matrices = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> e : layout.entrySet()) {
                if (isMatrix(e.getKey())) {
                    matrices.put(e.getKey(), MatrixLoader.load(weights, e.getKey(), e.getValue(), precision, manager,
                            ahead));
                    continue;
                }
                FloatTensor t = weights.read(e.getKey());
                float[] data = t.data();
                if (e.getKey().endsWith("layernorm.weight") || e.getKey().equals("model.norm.weight")) {
                    float offset = arch.normWeightOffset();
                    for (int i = 0; i < data.length && offset != 0f; i++) {
                        data[i] = offset + data[i]; // float32 add, as HF's (1.0 + weight.float())
                    }
                }
                arrays.put(e.getKey(), manager.create(data, new Shape(t.shape())));
            }
            return new Transformer(config, manager, arrays, matrices, weights.describe());
        } catch (RuntimeException | OutOfMemoryError e) {
            manager.close();
            if (e instanceof OutOfMemoryError) {
                throw new T2lException(weights.describe() + ": not enough memory to hold the weights in "
                        + precision.label() + " (" + config.numLayers() + " layers, hidden " + config.hiddenSize()
                        + "); raise -Xmx (T2L_JAVA_OPTS), use --weights int8 or bf16, or a machine with more memory", e);
            }
            throw e;
        }
    }

    /** The projections, the embedding and the lm head: the matrices kept in the chosen precision. */
    static boolean isMatrix(String name) {
        return name.endsWith("_proj.weight") || name.equals("model.embed_tokens.weight")
                || name.equals("lm_head.weight");
    }

    private static Map<String, long[]> checkLayout(ModelConfig config, TensorSource weights) {
        Map<String, long[]> layout = TensorLayout.of(config);
        for (Map.Entry<String, long[]> e : layout.entrySet()) {
            checkShape(config, weights, e.getKey(), e.getValue());
            if (isMatrix(e.getKey())) {
                MatrixLoader.checkDtype(weights, e.getKey(), e.getValue());
            } else if (!weights.dtype(e.getKey()).isFloat()) {
                throw new T2lException(weights.locate(e.getKey()) + ": tensor '" + e.getKey() + "' has dtype "
                        + weights.dtype(e.getKey()) + ", which is not supported (expected F32, BF16, F16 or F64)");
            }
        }
        return layout;
    }

    private static void checkShape(ModelConfig c, TensorSource w, String name, long[] expected) {
        if (!w.contains(name)) {
            throw new T2lException(w.describe() + ": missing tensor '" + name + "' (expected shape "
                    + Arrays.toString(expected) + " for this " + c.family().modelType + " config)");
        }
        long[] found = w.shape(name);
        if (!Arrays.equals(found, expected)) {
            throw new T2lException(w.locate(name) + ": tensor '" + name + "' has shape " + Arrays.toString(found)
                    + ", expected " + Arrays.toString(expected) + " from config.json (hidden_size "
                    + c.hiddenSize() + ", intermediate_size " + c.intermediateSize() + ", heads " + c.numHeads()
                    + "/" + c.numKvHeads() + " x head_dim " + c.headDim() + ", vocab_size " + c.vocabSize() + ")");
        }
    }

    public ModelConfig config() {
        return config;
    }

    /** The manager that owns the weights; make per-request sub-managers from it. */
    public NDManager manager() {
        return manager;
    }

    /** Bytes held by the weights in their precision (tied embeddings counted once). */
    public long weightBytes() {
        return weightBytes;
    }

    /** An empty KV cache for this model; {@code initialCapacity} positions are preallocated on first use. */
    public KvCache newCache(int initialCapacity) {
        return new KvCache(manager, config.numLayers(), initialCapacity);
    }

    public KvCache newCache() {
        return newCache(256);
    }

    /** A projection's current weight (out, in), e.g. after a merge. */
    public FloatTensor projectionWeight(int layer, String module) {
        WeightMatrix w = layers.get(layer).projections().get(module);
        if (w == null) {
            throw new T2lException("unknown projection '" + module + "'");
        }
        return w.toFloat();
    }

    /** A big matrix by HF name (tied: the lm head is model.embed_tokens.weight), or null; for benchmarks. */
    WeightMatrix matrix(String hfName) {
        return matrices.get(hfName);
    }

    /** How the big matrices are held: "f32", "bf16", "f16" or "int8" (the embedding's, which all share). */
    public String storage() {
        return embed.storage();
    }

    /**
     * The live weight arrays by HF name, in {@link TensorLayout#of} order (tied embeddings appear once, as
     * model.embed_tokens.weight), for full-parameter training: mark them with setRequiresGradient and update them
     * in place. Nothing is copied, so a model that is never trained pays nothing. Norm weights hold the family's
     * load-time offset (Gemma 2: 1 + w); {@link #stateDict} removes it again.
     */
    public Map<String, NDArray> parameters() {
        if (!allF32) {
            throw new T2lException("training needs float32 weights, but this model holds its matrices in "
                    + storage() + "; load it with float32 weights (Transformer.load(dir) / --weights f32)");
        }
        // whoever holds the arrays may write them in place: no panel copy could follow
        productMatrices().forEach(f -> f.allowPanels(false));
        return arrays;
    }

    /** Float32 copies of the weights as a HF checkpoint stores them (norm offsets removed), for saving. */
    public Map<String, FloatTensor> stateDict() {
        float offset = arch.normWeightOffset();
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        for (String name : TensorLayout.of(config).keySet()) {
            WeightMatrix m = matrices.get(name);
            if (m != null && !(m instanceof F32Matrix)) {
                out.put(name, m.toFloat());
                continue;
            }
            NDArray a = arrays.get(name);
            float[] data = a.toFloatArray();
            if (offset != 0f && (name.endsWith("layernorm.weight") || name.equals("model.norm.weight"))) {
                for (int i = 0; i < data.length; i++) {
                    data[i] -= offset;
                }
            }
            out.put(name, new FloatTensor(data, a.getShape().getShape()));
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Forward pass (HF LlamaModel.forward / Gemma2Model.forward)

    /**
     * Everything one forward call shares across layers. In a decode step with a cache and our products, attention
     * runs in Java over the cache ({@link CachedAttention}) and the masks are plain values (the engine's mask arrays
     * are then null), else the engine's ops take the mask arrays (the values are then null).
     */
    private record Pass(NDManager step, int batch, int seq, NDArray cos, NDArray sin, NDArray globalMask,
            NDArray slidingMask, float[] globalMaskValues, float[] slidingMaskValues, KvCache cache,
            LoraBatch lora) {
        boolean javaAttention() {
            return globalMaskValues != null;
        }
    }

    /**
     * Keeps the engine's attention ops in decode too, for paired A/B runs ({@code -Dt2l.attention.engine=true}). Not
     * final so tests can run both.
     */
    static boolean engineAttention = Boolean.getBoolean("t2l.attention.engine");

    /**
     * Runs the model over {@code in.ids()}; the outputs belong to {@code scope}, intermediates are freed on return
     * (autograd keeps what backward needs).
     */
    public ForwardOutput forward(NDManager scope, ForwardInput in) {
        int[][] ids = in.ids();
        int b = ids.length;
        int seq = b == 0 ? 0 : ids[0].length;
        int[][] mask = in.mask() != null ? in.mask() : ones(b, seq);
        checkInput(ids, mask, in.lora());
        int chunk = prefillChunk(in);
        if (chunk < seq) {
            return chunkedPrefill(scope, in, mask, chunk);
        }
        KvCache cache = in.cache();
        int past = cache == null ? 0 : cache.length();
        int[][] keyMask = cache == null ? mask : cache.keyMaskWith(mask);
        int[] realBefore = cache == null || past == 0 ? new int[b] : cache.realTokens();
        int[][] positions = Masks.positions(realBefore, mask);
        // the first layer's query matrix stands for all: one precision per model, and q_proj is never small
        boolean ourProducts = !layers.isEmpty()
                && layers.get(0).projections().get("q_proj").javaProductFor((long) b * seq);
        try (EngineThreads threads = EngineThreads.oneIf(ourProducts); NDManager step = scope.newSubManager()) {
            NDArray[] cossin = rope.tables(step, positions);
            // decode steps (one position): a dozen engine ops per layer for a few thousand multiply-adds, so one Java
            // call reads the cache instead, whatever the weights' type. A prompt's ops have work enough for the
            // engine: on gemma-2-2b (int8) prompts of 32 tokens ran 2-7% slower with the Java form in most A B
            // pairs, decode steps as fast or up to 9% faster (BENCHMARKS.md, twenty-fifth session)
            boolean javaAttention = seq == 1 && ourProducts && cache != null && !engineAttention
                    && CachedAttention.available() && !Autograd.mayRecord(cossin[0]);
            Integer window = config.slidingWindow();
            Pass pass = javaAttention
                    ? new Pass(step, b, seq, cossin[0], cossin[1], null, null,
                            Masks.additiveValues(keyMask, past, seq, null),
                            window == null ? null : Masks.additiveValues(keyMask, past, seq, window), cache,
                            in.lora())
                    : new Pass(step, b, seq, cossin[0], cossin[1], Masks.additive(step, keyMask, past, seq, null),
                            window == null ? null : Masks.additive(step, keyMask, past, seq, window), null, null,
                            cache, in.lora());

            NDArray h = embed(step, ids, in.embeddingHook()); // (batch, seq, hidden)
            NDList hidden = in.hiddenStates() ? new NDList() : null;
            for (int l = 0; l < layers.size(); l++) {
                if (hidden != null) {
                    hidden.add(h);
                }
                h = layerScoped(step, h, l, pass);
            }
            h = rmsNorm(h, finalNorm);
            if (hidden != null) {
                hidden.add(h); // HF replaces the last layer's raw output by the normed one
            }
            if (in.lastOnly()) {
                h = h.get(":, -1:, :");
            } else if (in.logitRows() != null) {
                h = RowGather.of(step, h, in.logitRows()); // (rows, hidden): positions b·seq + t
            }
            NDArray logits = lmHead.multiply(h, null); // (batch, seq, vocab), or (rows, vocab)
            if (config.finalLogitSoftcap() != null) {
                logits = Activations.softcap(logits, config.finalLogitSoftcap()); // Gemma2ForCausalLM.forward
            }
            if (cache != null) {
                cache.advance(mask);
            }
            logits.attach(scope);
            if (hidden != null) {
                hidden.attach(scope);
            }
            return new ForwardOutput(logits, hidden);
        }
    }

    /**
     * Activation rows (batch x positions) per forward call when a prompt fills a KV cache for generation (last-position
     * logits only). A longer prompt goes through in chunks of positions, each attending to the cache as decode steps
     * do: the same keys, values and last logits up to float rounding (InvariantsTest), while a layer's activations,
     * all alive until the layer ends, scale with the chunk instead of the prompt. A 256-token prompt at batch 8 (2,048
     * rows) on the gemma-2-2b shape in bf16 peaked at 1.59x the weight files (docs/WEIGHTS.md, "Long prompts"). 256
     * rows keep one product's output of a 9216-wide layer (9.4 MB) inside a 16 MB survivor space (HeapSizing). Not
     * final so tests can use small chunks.
     */
    static int prefillRows = Integer.getInteger("t2l.prefillRows", 256);

    /**
     * Positions per forward call for this input: all of them, unless it fills a cache for generation (last logits
     * only, no hidden states or embedding hook) with more than {@link #prefillRows} rows.
     */
    static int prefillChunk(ForwardInput in) {
        int b = in.ids().length;
        int seq = in.ids()[0].length;
        boolean generating = in.cache() != null && in.lastOnly() && !in.hiddenStates() && in.embeddingHook() == null;
        return generating ? Math.min(seq, Math.max(1, prefillRows / b)) : seq;
    }

    /** {@link #forward} of a long prompt in chunks of {@code chunk} positions (all rows alike). */
    private ForwardOutput chunkedPrefill(NDManager scope, ForwardInput in, int[][] mask, int chunk) {
        int seq = in.ids()[0].length;
        ForwardOutput out = null;
        for (int s0 = 0; s0 < seq; s0 += chunk) {
            int s1 = Math.min(seq, s0 + chunk);
            if (out != null) {
                out.logits().close(); // only the last chunk's logits are the prompt's
            }
            out = forward(scope, new ForwardInput(columns(in.ids(), s0, s1), columns(mask, s0, s1), in.cache(),
                    in.lora(), false, true, null, null));
        }
        return out;
    }

    /** Columns [from, to) of every row (tests cut prompts the same way). */
    static int[][] columns(int[][] rows, int from, int to) {
        int[][] out = new int[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            out[r] = Arrays.copyOfRange(rows[r], from, to);
        }
        return out;
    }

    /** Logits (seq, vocab) of one unpadded sequence, with optional adapters: a convenience for tools and tests. */
    public FloatTensor logits(int[] ids, LoraBatch lora) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray logits = forward(scope, ForwardInput.of(ids).withLora(lora)).logits();
            return new FloatTensor(logits.toFloatArray(), new long[] {ids.length, config.vocabSize()});
        }
    }

    /**
     * The token embeddings, then the family's scale (Gemma 2: ×√hidden). {@code hook} sees the embedding table's
     * output before that scale: HF's NEFTune hook is a forward hook on {@code get_input_embeddings()}, and
     * Gemma2Model multiplies by the normaliser after it (issue 12 item 3).
     */
    private NDArray embed(NDManager step, int[][] ids, java.util.function.UnaryOperator<NDArray> hook) {
        int b = ids.length;
        int seq = ids[0].length;
        long[] flat = new long[b * seq];
        for (int r = 0; r < b; r++) {
            for (int t = 0; t < seq; t++) {
                flat[r * seq + t] = ids[r][t];
            }
        }
        NDArray h;
        if (embed instanceof F32Matrix f) {
            h = f.array().get(step, new NDIndex("{}", OwnedArrays.of(step, flat, new Shape(b, seq)))); // (b, seq, hidden)
        } else {
            int hidden = config.hiddenSize();
            float[] rows = new float[flat.length * hidden];
            for (int i = 0; i < flat.length; i++) {
                embed.rowInto((int) flat[i], rows, i * hidden); // widened from the stored rows, no full copy
            }
            h = Staging.copyOf(step, rows, new Shape(b, seq, hidden));
        }
        if (hook != null) {
            h = hook.apply(h);
        }
        float scale = arch.embeddingScale(config);
        return scale == 1f ? h : Scalars.mul(h, scale);
    }

    /**
     * One decoder layer whose intermediates are freed as soon as it returns (autograd keeps what backward needs);
     * only its output joins {@code step}. Keeping every layer's attention scores until the end of the pass made a
     * batched long-prompt prefill hold gigabytes that the allocator mapped fresh, and the kernel zeroed, every call
     * (BENCHMARKS.md, `t2l bench eval`).
     */
    private NDArray layerScoped(NDManager step, NDArray h, int l, Pass pass) {
        return scoped(step, h, x -> decoderLayer(x, l, pass));
    }

    /**
     * f(h) in a manager of its own under {@code outer}: every array f makes is freed when it returns, except its
     * result, which joins {@code outer}.
     */
    private static NDArray scoped(NDManager outer, NDArray h, UnaryOperator<NDArray> f) {
        try (NDManager inner = outer.newSubManager()) {
            h.tempAttach(inner); // the arrays f makes join the manager of their first operand: this one
            NDArray out = f.apply(h);
            out.attach(outer);
            return out;
        }
    }

    /**
     * HF LlamaDecoderLayer (pre-norm residual blocks); Gemma 2 adds a norm on each block's output. The attention block
     * has a scope of its own, so its intermediates (scores, rotary copies) are freed before the MLP's are made: the
     * layer's peak is the larger block's, not their sum (docs/WEIGHTS.md, "Long prompts").
     */
    private NDArray decoderLayer(NDArray h, int l, Pass pass) {
        Layer layer = layers.get(l);
        NDArray a = scoped(h.getManager(), h, x -> {
            NDArray y = attention(rmsNorm(x, layer.inputNorm()), l, pass);
            return layer.postAttnNorm() == null ? y : rmsNorm(y, layer.postAttnNorm());
        });
        h = sumInto(a, h);
        NDArray m = mlp(rmsNorm(h, layer.preMlpNorm()), l, pass);
        if (layer.postMlpNorm() != null) {
            m = rmsNorm(m, layer.postMlpNorm());
        }
        return sumInto(m, h);
    }

    /**
     * t + x, written into t when nothing records for backward: t is a temporary this layer made (a block's output),
     * so the engine allocates one array less: two a layer, and the MLP's product a third (BENCHMARKS.md, thirty-first
     * session). Addition commutes, so the bits are those of x + t.
     */
    private static NDArray sumInto(NDArray t, NDArray x) {
        return Activations.overwritable(t) ? t.addi(x) : x.add(t);
    }

    /**
     * Attention scores above this many floats (16 MB) are computed in query chunks: glibc maps blocks over 32 MB
     * fresh from the kernel at every allocation, so one (batch·heads·seq·keys) tensor of a long batched prefill cost
     * more in page faults than in arithmetic; chunks of at most this size are reused from the heap. Not final only
     * so that a test can force chunking on small models.
     */
    static long scoreChunkFloats = 4L << 20;

    /** HF LlamaAttention (eager) with grouped-query attention. x: (batch, seq, hidden). */
    private NDArray attention(NDArray x, int l, Pass pass) {
        int b = pass.batch();
        int seq = pass.seq();
        int heads = config.numHeads();
        int kvHeads = config.numKvHeads();
        int d = config.headDim();
        // (b, H, seq, d) and (b, KV, seq, d), rotated
        NDArray q = Rope.applyToHeads(project(x, l, "q_proj", pass), b, seq, heads, d, pass.cos(), pass.sin());
        NDArray k = Rope.applyToHeads(project(x, l, "k_proj", pass), b, seq, kvHeads, d, pass.cos(), pass.sin());
        NDArray v = project(x, l, "v_proj", pass).reshape(b, seq, kvHeads, d).transpose(0, 2, 1, 3);
        if (pass.javaAttention()) {
            KvCache cache = pass.cache();
            int used = cache.write(l, k, v);
            Double cap = config.attnLogitSoftcap();
            float[] o = CachedAttention.attend(q.toFloatArray(), b, heads, seq, d,
                    EngineMemory.readableBytes(cache.keyStore(l)), EngineMemory.readableBytes(cache.valueStore(l)),
                    kvHeads, cache.capacity(), used,
                    config.isSlidingLayer(l) ? pass.slidingMaskValues() : pass.globalMaskValues(),
                    (float) arch.attentionScale(config), cap == null ? 0f : cap.floatValue());
            return project(Staging.copyOf(x.getManager(), o, new Shape(b, seq, (long) heads * d)), l, "o_proj", pass);
        }
        if (pass.cache() != null) {
            NDArray[] kv = pass.cache().append(pass.step(), l, k, v); // (b, KV, keys, d)
            k = kv[0];
            v = kv[1];
        }
        long keys = k.getShape().get(2);
        NDArray mask = config.isSlidingLayer(l) ? pass.slidingMask() : pass.globalMask(); // (b, 1, 1, seq, keys)
        int chunk = (int) Math.max(1, Math.min(seq, scoreChunkFloats / ((long) b * heads * keys)));
        NDArray out; // (b, H, seq, d)
        if (chunk >= seq) {
            out = attend(q, k, v, mask, seq, keys);
        } else {
            NDList parts = new NDList();
            for (int s0 = 0; s0 < seq; s0 += chunk) {
                int s1 = Math.min(seq, s0 + chunk);
                parts.add(attend(q.get(":, :, {}:{}, :", s0, s1), k, v, mask.get(":, :, :, {}:{}, :", s0, s1),
                        s1 - s0, keys));
            }
            out = NDArrays.concat(parts, 2);
        }
        out = out.transpose(0, 2, 1, 3).reshape(b, seq, (long) heads * d);
        return project(out, l, "o_proj", pass);
    }

    /**
     * Scaled dot-product attention of {@code seq} queries q (b, H, seq, d) over k, v (b, KV, keys, d): softmax(q kᵀ ·
     * scale + mask) v, as (b, H, seq, d). GQA without copying K/V (HF repeat_kv): query head h uses KV head h / group,
     * so the group's query heads fold into the sequence axis, (b, KV, group·seq, d).
     */
    private NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask, int seq, long keys) {
        long b = q.getShape().get(0);
        int heads = config.numHeads();
        int kvHeads = config.numKvHeads();
        int group = heads / kvHeads;
        int d = config.headDim();
        NDArray qg = q.reshape(b, kvHeads, (long) group * seq, d);
        NDArray scores = Scalars.mul(qg.matMul(k.transpose(0, 1, 3, 2)), (float) arch.attentionScale(config));
        if (config.attnLogitSoftcap() != null) {
            scores = Activations.softcap(scores, config.attnLogitSoftcap()); // Gemma2: before the mask
        }
        NDArray probs = scores.reshape(b, kvHeads, group, seq, keys).add(mask).softmax(-1);
        return probs.reshape(b, kvHeads, (long) group * seq, keys).matMul(v).reshape(b, heads, seq, d);
    }

    /** HF LlamaMLP: down(act(gate(x)) * up(x)). */
    private NDArray mlp(NDArray x, int l, Pass pass) {
        NDArray gate = activation.apply(project(x, l, "gate_proj", pass));
        NDArray up = project(x, l, "up_proj", pass);
        // the activation's output is a temporary: in inference the product goes into it (sumInto)
        NDArray product = Activations.overwritable(gate) ? gate.muli(up) : gate.mul(up);
        return project(product, l, "down_proj", pass);
    }

    /**
     * y = x W^T + bias (the matrix's own kernel: engine GEMM for float32, ours for 16/8-bit), plus adapters merged
     * into 16/8-bit weights and the row's unmerged LoRA term when one is given.
     */
    private NDArray project(NDArray x, int l, String module, Pass pass) {
        Layer layer = layers.get(l);
        NDArray y = layer.projections().get(module).multiply(x, layer.biases().get(module));
        for (LoraBatch merged : overlays) {
            y = merged.apply(l, module, x, y);
        }
        return pass.lora() == null ? y : pass.lora().apply(l, module, x, y);
    }

    /** HF LlamaRMSNorm: w * x * rsqrt(mean(x^2) + eps) (w already includes Gemma's +1). */
    private NDArray rmsNorm(NDArray x, NDArray w) {
        return RmsNorm.apply(x, w, (float) config.rmsNormEps());
    }

    private void checkInput(int[][] ids, int[][] mask, LoraBatch lora) {
        if (ids.length == 0 || ids[0].length == 0) {
            throw new T2lException("forward: empty batch");
        }
        if (mask.length != ids.length) {
            throw new T2lException("forward: mask has " + mask.length + " rows, ids have " + ids.length);
        }
        for (int r = 0; r < ids.length; r++) {
            if (ids[r].length != ids[0].length || mask[r].length != ids[0].length) {
                throw new T2lException("forward: row " + r + " has " + ids[r].length + " ids and " + mask[r].length
                        + " mask entries, expected " + ids[0].length + " (pad rows to one length)");
            }
            for (int t = 0; t < ids[r].length; t++) {
                if (ids[r][t] < 0 || ids[r][t] >= config.vocabSize()) {
                    throw new T2lException("forward: token id " + ids[r][t] + " at row " + r + ", position " + t
                            + " is outside the vocabulary [0, " + config.vocabSize() + ")");
                }
            }
        }
        if (lora != null) {
            if (lora.rows() != 1 && lora.rows() != ids.length) {
                throw new T2lException("forward: the LoRA batch has " + lora.rows() + " rows, the input " + ids.length);
            }
            AdapterCheck.check(config, lora);
        }
    }

    private static int[][] ones(int b, int seq) {
        int[][] m = new int[b][seq];
        for (int[] row : m) {
            Arrays.fill(row, 1);
        }
        return m;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Merging (PEFT LoraLayer.merge: W += scaling * B @ A)

    /**
     * Adds an adapter into the weights: W' = W + scaling · (B @ A) for every adapted projection (PEFT
     * get_delta_weight + merge). Close the returned handle to subtract it again (PEFT unmerge; float rounding
     * may leave ~1e-7 differences).
     */
    public Merged merge(LoraWeights adapter, String source) {
        AdapterCheck.check(config, adapter, source);
        if (!allF32) {
            // 16/8-bit weights cannot absorb a float32 delta without a float32 copy of every adapted matrix (2.7 GB
            // for Mistral-7B's q/v): the adapter is applied unmerged inside project instead, which computes the
            // same function (W + s·BA)x = Wx + s·B(Ax) up to float rounding, at the cost of two thin products.
            LoraBatch overlay = LoraBatch.shared(manager, adapter);
            overlays.add(overlay);
            return new Merged(List.of(), () -> {
                overlays.remove(overlay);
                overlay.close();
            });
        }
        List<NDArray[]> applied = new ArrayList<>();
        List<F32Matrix> written = new ArrayList<>();
        try (NDManager tmp = manager.newSubManager()) {
            for (Map.Entry<LoraWeights.Site, LoraWeights.Pair> e : adapter.pairs().entrySet()) {
                LoraWeights.Pair p = e.getValue();
                NDArray a = tmp.create(p.a().data(), new Shape(p.a().shape()));
                NDArray bm = tmp.create(p.b().data(), new Shape(p.b().shape()));
                NDArray delta = bm.matMul(a).mul((float) adapter.config().scaling()); // (out, in)
                F32Matrix f = (F32Matrix) layers.get(e.getKey().layer()).projections().get(e.getKey().module());
                f.array().addi(delta);
                f.dropPanels();
                written.add(f);
                delta.attach(manager);
                applied.add(new NDArray[] {f.array(), delta});
            }
        }
        return new Merged(applied, () -> written.forEach(F32Matrix::dropPanels));
    }

    /** A merged adapter; closing it unmerges (W -= delta, or drops the overlay of 16/8-bit weights). */
    public static final class Merged implements AutoCloseable {
        private final List<NDArray[]> applied;
        private final Runnable undo;
        private boolean open = true;

        private Merged(List<NDArray[]> applied, Runnable undo) {
            this.applied = applied;
            this.undo = undo;
        }

        @Override
        public void close() {
            if (open) {
                open = false;
                for (NDArray[] wd : applied) {
                    wd[0].subi(wd[1]);
                    wd[1].close();
                }
                if (undo != null) {
                    undo.run();
                }
            }
        }
    }

    @Override
    public void close() {
        productMatrices().forEach(F32Matrix::dropPanels); // heap copies: released with the engine arrays
        manager.close();
    }
}
