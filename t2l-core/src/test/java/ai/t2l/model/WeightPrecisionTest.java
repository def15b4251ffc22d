package ai.t2l.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.compute.MemoryCheck;
import ai.t2l.compute.WeightPrecision;
import ai.t2l.generate.GenerationConfig;
import ai.t2l.generate.Generator;
import ai.t2l.generate.TokenListener;
import ai.t2l.io.DType;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.Json;
import ai.t2l.io.RawTensor;
import ai.t2l.io.SafetensorsFile;
import ai.t2l.io.SafetensorsWriter;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraBatch;
import ai.t2l.lora.LoraWeights;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.FieldSource;

/** Models held in 16-bit and 8-bit precision: parity, the paths above the forward pass, and bad input. */
class WeightPrecisionTest {
    static final Golden[] FLOAT_GOLDENS = {Golden.LLAMA, Golden.MISTRAL, Golden.GEMMA2, Golden.QWEN2};

    @TempDir
    Path tmp;

    /**
     * int8 against float32 (docs/WEIGHTS.md reports these numbers): the golden models are tiny and random (std 0.2
     * weights), so greedy agreement is the meaningful check and |Δlogit| is bounded loosely.
     */
    @ParameterizedTest(name = "{0}")
    @FieldSource("FLOAT_GOLDENS")
    void int8StaysCloseToFloat32(Golden g) {
        try (Transformer q = Transformer.load(g.dir(), WeightPrecision.INT8)) {
            reportAgainstFloat32(g, q, "int8");
        }
    }

    /**
     * int8 weights with {@code --products int8dot} (the prompts' products on activations quantized to int8 blocks,
     * decode steps float32) against float32, reported and bounded as {@link #int8StaysCloseToFloat32}; and the logits
     * must differ from int8's float32 products (the activations were quantized).
     */
    @ParameterizedTest(name = "{0}")
    @FieldSource("INT8_SOURCES")
    void int8DotProductsStayCloseToFloat32(Golden g) {
        ai.t2l.compute.Bf16DotLibrary.requireInt8();
        try (Transformer q = Transformer.load(g.dir(), WeightPrecision.INT8)) {
            float[] f32 = q.logits(g.prompt(0), null).data();
            q.productPrecision(ai.t2l.compute.ProductPrecision.INT8_DOT);
            double moved = maxDiff(f32, q.logits(g.prompt(0), null).data());
            assertTrue(moved > 1e-6, g + ": the logits did not move: did the prompt run on int8 activations?");
            reportAgainstFloat32(g, q, "int8 + int8dot");
        }
    }

    /**
     * int8dot is for int8 weights: a float32 model (its products on the Java panels, as for bf16dot in
     * Bf16DotProductsGoldenTest) and bf16 weights in place give the same bits under it.
     */
    @Test
    void int8DotLeavesOtherWeightsAsTheyAre() {
        ai.t2l.compute.Bf16DotLibrary.requireInt8();
        for (Golden g : new Golden[] {Golden.LLAMA, Golden.LLAMA_BF16_STORED}) {
            try (Transformer m = ai.t2l.compute.F32Matrix.withJavaRows(16, g::ownCopy)) {
                int[] ids = g.prompt(0);
                float[] before = ai.t2l.compute.F32Matrix.withJavaRows(16, () -> m.logits(ids, null)).data();
                m.productPrecision(ai.t2l.compute.ProductPrecision.INT8_DOT);
                float[] after = ai.t2l.compute.F32Matrix.withJavaRows(16, () -> m.logits(ids, null)).data();
                assertEquals(0.0, maxDiff(before, after), g + ": int8dot changed a model without int8 weights");
            }
        }
    }

    private static void reportAgainstFloat32(Golden g, Transformer q, String what) {
        assertEquals("int8", q.storage());
        double worst = 0;
        double scale = 0;
        for (int s = 0; s < 2; s++) {
            float[] ref = g.model().logits(g.prompt(s), null).data();
            float[] got = q.logits(g.prompt(s), null).data();
            for (int i = 0; i < ref.length; i++) {
                worst = Math.max(worst, Math.abs(ref[i] - got[i]));
                scale = Math.max(scale, Math.abs(ref[i]));
            }
        }
        int agree = 0;
        int total = 0;
        try (Generator a = new Generator(g.model()); Generator b = new Generator(q)) {
            for (int s = 0; s < 2; s++) {
                int[] ta = a.generate(g.prompt(s), null, GenerationConfig.greedy(12), TokenListener.NONE).tokens();
                int[] tb = b.generate(g.prompt(s), null, GenerationConfig.greedy(12), TokenListener.NONE).tokens();
                for (int i = 0; i < Math.min(ta.length, tb.length) && ta[i] == tb[i]; i++) {
                    agree++;
                }
                total += ta.length;
            }
        }
        // argmax agreement at every position of the teacher-forced golden continuations (prompt + 12 tokens)
        int same = 0;
        int rows = 0;
        for (int s = 0; s < 2; s++) {
            int[] ids = concat(g.prompt(s), g.greedy(s));
            float[] ref = g.model().logits(ids, null).data();
            float[] got = q.logits(ids, null).data();
            int vocab = q.config().vocabSize();
            for (int r = 0; r < ids.length; r++, rows++) {
                same += argmax(ref, r * vocab, vocab) == argmax(got, r * vocab, vocab) ? 1 : 0;
            }
        }
        System.out.printf("%s vs f32 %s: max |dlogit| %.3e (max |logit| %.2f, %.1f%%), argmax agreement %d/%d"
                + " positions, greedy tokens equal before the first difference %d/%d%n", what, g, worst, scale,
                100 * worst / scale, same, rows, agree, total);
        // Bounds from the measured values (docs/WEIGHTS.md) with margin: these tiny random models (std 0.2
        // weights, near-tied logits) are far more sensitive than trained ones.
        assertTrue(worst <= 0.1 * scale, g + ": " + what + " max |dlogit| " + worst + " exceeds 10% of max |logit| "
                + scale);
        assertTrue(same >= 0.85 * rows, g + ": " + what + " argmax agrees at only " + same + "/" + rows
                + " positions");
    }

    /**
     * The int8 path computes exactly the model whose weights are the dequantized blocks (float32 engine path): what
     * differs from float32 is the quantization alone, not the kernels.
     */
    static final Golden[] INT8_SOURCES = {Golden.LLAMA, Golden.LLAMA_BF16, Golden.MISTRAL, Golden.GEMMA2, Golden.QWEN2};

    /** llama_bf16 is quantized from its mapped bf16 file in slabs (forced to the least here: one strip of 16 rows). */
    @ParameterizedTest(name = "{0}")
    @FieldSource("INT8_SOURCES")
    void int8KernelsComputeTheDequantizedModel(Golden g) {
        long savedSlab = MatrixLoader.slabBytes;
        MatrixLoader.slabBytes = 3 * 64 * 2;
        try {
            checkInt8AgainstDequantized(g);
        } finally {
            MatrixLoader.slabBytes = savedSlab;
        }
    }

    private static void checkInt8AgainstDequantized(Golden g) {
        ModelConfig c = ModelConfig.read(g.dir());
        try (ai.t2l.io.ModelWeights w = ai.t2l.io.ModelWeights.open(g.dir());
                Transformer q = Transformer.load(g.dir(), WeightPrecision.INT8);
                Transformer fake = Transformer.create(c, dequantized(w))) {
            for (int s = 0; s < 2; s++) {
                assertMax(fake.logits(g.prompt(s), null).data(), q.logits(g.prompt(s), null).data(), 1e-4,
                        g + " int8 kernels vs dequantized float32 weights, prompt " + s);
            }
        }
    }

    /** The source with every big matrix replaced by its int8 round trip (q · scale). */
    private static ai.t2l.io.TensorSource dequantized(ai.t2l.io.ModelWeights w) {
        return new ai.t2l.io.TensorSource() {
            public java.util.Set<String> names() {
                return w.names();
            }

            public boolean contains(String n) {
                return w.contains(n);
            }

            public long[] shape(String n) {
                return w.shape(n);
            }

            public FloatTensor read(String n) {
                FloatTensor t = w.read(n);
                if (!Transformer.isMatrix(n)) {
                    return t;
                }
                int cols = (int) t.shape()[1];
                return ai.t2l.compute.Int8Matrix.quantize(t.shape()[0], cols,
                        (r, dst) -> System.arraycopy(t.data(), r * cols, dst, 0, cols)).toFloat();
            }

            public String describe() {
                return w.describe();
            }

            public void close() {}
        };
    }

    @Test
    void float16FolderUsedInPlaceMatchesItsFloat32Widening() {
        Path dir = copyModel(Golden.LLAMA.dir(), tmp.resolve("f16"), DType.F16, UnaryOperator.identity());
        try (Transformer wide = Transformer.load(dir); Transformer half = Transformer.load(dir, WeightPrecision.AUTO)) {
            assertEquals("f16", half.storage());
            assertEquals("f32", wide.storage());
            assertMax(wide.logits(Golden.LLAMA.prompt(1), null).data(), half.logits(Golden.LLAMA.prompt(1), null)
                    .data(), 1e-4, "f16 in place vs widened");
        }
    }

    /** A merge into 16-bit weights is applied unmerged (no float32 copy) and must equal the unmerged LoRA. */
    @Test
    void mergeIntoBf16WeightsEqualsTheUnmergedAdapterAndUndoes() {
        Golden g = Golden.LLAMA_BF16_STORED;
        Transformer m = g.model();
        LoraWeights lora = LoraFixtures.random(m.config(), 4, 8, false, 11, 0.2f);
        int[] ids = g.prompt(1);
        float[] base = m.logits(ids, null).data();
        float[] unmerged;
        try (LoraBatch b = LoraBatch.shared(m.manager(), lora)) {
            unmerged = m.logits(ids, b).data();
        }
        try (Transformer.Merged ignored = m.merge(lora, "test")) {
            assertMax(unmerged, m.logits(ids, null).data(), 1e-5, "merged (bf16) vs unmerged");
        }
        assertMax(base, m.logits(ids, null).data(), 0, "after unmerge");
        assertTrue(maxDiff(base, unmerged) > 1e-2, "the adapter changes the logits");
    }

    @Test
    void trainingRefusesSixteenBitWeightsByName() {
        T2lException e = assertThrows(T2lException.class, () -> Golden.LLAMA_BF16_STORED.model().parameters());
        assertTrue(e.getMessage().contains("bf16") && e.getMessage().contains("float32"), e.getMessage());
    }

    @Test
    void quantizedFolderLoadsToTheSameModelAsQuantizingAtLoad() {
        Path q = tmp.resolve("q8");
        QuantizedFolder.write(Golden.MISTRAL.dir(), q);
        try (Transformer saved = Transformer.load(q, WeightPrecision.AUTO);
                Transformer atLoad = Transformer.load(Golden.MISTRAL.dir(), WeightPrecision.INT8)) {
            assertEquals("int8", saved.storage());
            assertMax(atLoad.logits(Golden.MISTRAL.prompt(0), null).data(),
                    saved.logits(Golden.MISTRAL.prompt(0), null).data(), 0, "saved int8 vs quantized at load");
        }
        assertTrue(Json.read(q.resolve("config.json")).path("quantization_config").path("quant_method").asText()
                .equals("t2l_q8_0"));
    }

    @Test
    void quantizedFolderWhoseScalesDoNotMatchItsWeightsIsRefusedByName() {
        Path q = tmp.resolve("q8");
        QuantizedFolder.write(Golden.LLAMA.dir(), q);
        String bad = "model.layers.1.mlp.up_proj.weight_scale";
        Path broken = tmp.resolve("broken");
        rewrite(q, broken, (name, t) -> !name.equals(bad) ? t
                : RawTensor.ofFloats(new long[] {t.shape()[0], t.shape()[1] - 1},
                        new float[(int) (t.shape()[0] * (t.shape()[1] - 1))]));
        T2lException e = assertThrows(T2lException.class, () -> Transformer.load(broken, WeightPrecision.AUTO));
        assertTrue(e.getMessage().contains(bad) && e.getMessage().contains("do not match"), e.getMessage());
    }

    @Test
    void unsupportedDtypeIsNamed() {
        String victim = "model.layers.0.self_attn.k_proj.weight";
        Path dir = tmp.resolve("i32");
        rewrite(Golden.LLAMA.dir(), dir, (name, t) -> !name.equals(victim) ? t
                : new RawTensor(DType.I32, t.shape(), os -> os.write(new byte[(int) t.byteLength()])));
        T2lException e = assertThrows(T2lException.class, () -> Transformer.load(dir, WeightPrecision.AUTO));
        assertTrue(e.getMessage().contains(victim) && e.getMessage().contains("I32"), e.getMessage());
    }

    /** A sharded bf16 folder maps each shard; a shard cut short is refused naming the file before any use. */
    @Test
    void shardedFolderLoadsAndATruncatedShardIsRefused() throws IOException {
        Path dir = copyModel(Golden.LLAMA_BF16.dir(), tmp.resolve("sharded"), null, UnaryOperator.identity());
        shard(dir);
        try (Transformer m = Transformer.load(dir, WeightPrecision.AUTO)) {
            assertEquals("bf16", m.storage());
            assertMax(Golden.LLAMA_BF16_STORED.model().logits(Golden.LLAMA.prompt(0), null).data(),
                    m.logits(Golden.LLAMA.prompt(0), null).data(), 0, "sharded vs single file");
        }
        Path second = dir.resolve("model-00002-of-00002.safetensors");
        try (FileChannel ch = FileChannel.open(second, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 100);
        }
        T2lException e = assertThrows(T2lException.class, () -> Transformer.load(dir, WeightPrecision.AUTO));
        assertTrue(e.getMessage().contains(second.getFileName().toString()) && e.getMessage().contains("truncated"),
                e.getMessage());
    }

    /**
     * Mapped 16-bit weights are scanned for NaN and infinity at load as float32 ones are (io/Finite): refused naming
     * the file, the tensor and the [row, column], under every precision that reads them in place or quantizes them.
     */
    @ParameterizedTest(name = "{0} {1} under --weights {2}")
    @CsvSource({"BF16,NaN,AUTO", "BF16,-Infinity,BF16", "F16,Infinity,AUTO", "BF16,NaN,INT8"})
    void nonFiniteSixteenBitWeightsAreRefusedNamingTensorAndIndex(DType dtype, float bad, WeightPrecision p)
            throws IOException {
        Path source = dtype == DType.BF16 ? Golden.LLAMA_BF16.dir()
                : copyModel(Golden.LLAMA.dir(), tmp.resolve("f16"), DType.F16, UnaryOperator.identity());
        String victim = "model.layers.1.mlp.down_proj.weight";
        Path dir = tmp.resolve("bad");
        rewrite(source, dir, (name, t) -> {
            if (!name.equals(victim)) {
                return t;
            }
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            try {
                t.body().writeTo(bytes);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
            byte[] b = bytes.toByteArray();
            int at = 2 * (3 * (int) t.shape()[1] + 5); // element [3, 5]
            short bits = dtype == DType.BF16 ? (short) (Float.floatToRawIntBits(bad) >>> 16)
                    : ai.t2l.io.Half.fromFloat(bad);
            b[at] = (byte) bits;
            b[at + 1] = (byte) (bits >>> 8);
            return RawTensor.ofBytes(t.dtype(), t.shape(), b);
        });
        T2lException e = assertThrows(T2lException.class, () -> Transformer.load(dir, p));
        String msg = e.getMessage();
        assertTrue(msg.contains("model.safetensors") && msg.contains(victim) && msg.contains(String.valueOf(bad))
                && msg.contains("[3, 5]"), msg);
    }

    @Test
    void modelThatCannotFitIsRefusedBeforeLoadingWithItsSizeAndOptions() {
        Path dir = Golden.LLAMA.dir();
        // llama golden: 2 layers, hidden 64, vocab 320: 126,976 matrix weights (0.5 MB in float32)
        T2lException e = assertThrows(T2lException.class,
                () -> Transformer.load(dir, WeightPrecision.AUTO, new MemoryCheck.Available(300_000, 1L << 40)));
        String msg = e.getMessage();
        assertTrue(msg.contains(dir.toString()) && msg.contains("needs 0.5 MB in float32") && msg.contains("0.3 MB")
                && msg.contains("available") && msg.contains("--weights int8") && msg.contains("--weights bf16"), msg);
        // the same memory is enough in int8
        try (Transformer q = Transformer.load(dir, WeightPrecision.INT8, new MemoryCheck.Available(300_000, 1L << 40))) {
            assertEquals("int8", q.storage());
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private interface Edit {
        RawTensor apply(String name, RawTensor t);
    }

    /** Copies a model folder, rewriting model.safetensors tensor by tensor through {@code edit}. */
    private static void rewrite(Path from, Path to, Edit edit) {
        try {
            Files.createDirectories(to);
            for (Path f : Files.list(from).toList()) {
                if (!f.getFileName().toString().endsWith(".safetensors")) {
                    Files.copy(f, to.resolve(f.getFileName()));
                }
            }
            try (SafetensorsFile sf = SafetensorsFile.open(from.resolve("model.safetensors"))) {
                Map<String, RawTensor> out = new LinkedHashMap<>();
                for (SafetensorsFile.Entry e : sf.entries().values()) {
                    ByteBuffer b = sf.map(e);
                    byte[] bytes = new byte[b.remaining()];
                    b.get(bytes);
                    out.put(e.name(), edit.apply(e.name(), RawTensor.ofBytes(e.dtype(), e.shape(), bytes)));
                }
                SafetensorsWriter.writeRaw(to.resolve("model.safetensors"), out, Map.of("format", "pt"));
            }
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    /** A copy whose float tensors are stored as {@code dtype} (null: unchanged). */
    private static Path copyModel(Path from, Path to, DType dtype, UnaryOperator<float[]> values) {
        rewrite(from, to, (name, t) -> {
            if (dtype == null) {
                return t;
            }
            try (SafetensorsFile sf = SafetensorsFile.open(from.resolve("model.safetensors"))) {
                FloatTensor f = sf.read(name);
                float[] v = values.apply(f.data());
                return new RawTensor(dtype, f.shape(), os -> {
                    for (float x : v) {
                        short h = ai.t2l.io.Half.fromFloat(x);
                        os.write(h & 0xFF);
                        os.write((h >>> 8) & 0xFF);
                    }
                });
            }
        });
        return to;
    }

    /** Splits model.safetensors into two shards with an HF index. */
    private static void shard(Path dir) throws IOException {
        Path single = dir.resolve("model.safetensors");
        Map<String, RawTensor> a = new LinkedHashMap<>();
        Map<String, RawTensor> b = new LinkedHashMap<>();
        ObjectNode map = Json.MAPPER.createObjectNode();
        try (SafetensorsFile sf = SafetensorsFile.open(single)) {
            List<SafetensorsFile.Entry> all = List.copyOf(sf.entries().values());
            for (int i = 0; i < all.size(); i++) {
                SafetensorsFile.Entry e = all.get(i);
                ByteBuffer buf = sf.map(e);
                byte[] bytes = new byte[buf.remaining()];
                buf.get(bytes);
                boolean first = i < all.size() / 2;
                (first ? a : b).put(e.name(), RawTensor.ofBytes(e.dtype(), e.shape(), bytes));
                map.put(e.name(), first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
            }
        }
        SafetensorsWriter.writeRaw(dir.resolve("model-00001-of-00002.safetensors"), a, Map.of("format", "pt"));
        SafetensorsWriter.writeRaw(dir.resolve("model-00002-of-00002.safetensors"), b, Map.of("format", "pt"));
        ObjectNode index = Json.MAPPER.createObjectNode();
        index.putObject("metadata");
        index.set("weight_map", map);
        Files.writeString(dir.resolve("model.safetensors.index.json"), Json.write(index));
        Files.delete(single);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static int argmax(float[] v, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (v[off + i] > v[off + best]) {
                best = i;
            }
        }
        return best;
    }

    private static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    private static void assertMax(float[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double d = maxDiff(expected, actual);
        assertTrue(d <= tol, what + ": max |diff| " + d + " > " + tol);
    }
}
