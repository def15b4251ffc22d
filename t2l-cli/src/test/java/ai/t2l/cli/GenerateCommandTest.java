package ai.t2l.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDManager;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.t2l.embed.OnnxTaskEmbedder;
import ai.t2l.hypernet.HypernetCheckpoint;
import ai.t2l.hypernet.LoadOptions;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.Json;
import ai.t2l.io.SafetensorsFile;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateCommandTest {
    @TempDir
    Path tmp;

    static Path golden(String variant) {
        return Paths.get(System.getProperty("t2l.shared"), "fixtures", "golden", "t2l", variant);
    }

    /** Runs the CLI, capturing stderr; returns {exit code, stderr}. */
    static Object[] run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.execute(args);
            return new Object[] {code, err.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void taskEmbeddingFileReproducesTheReferenceAdapter() throws Exception {
        Path emb = rawEmbedding("S_384", 1);
        Path out = tmp.resolve("adapter");
        Object[] r = run("generate", "--t2l", golden("S_384").toString(), "--task-embedding", emb.toString(),
                "--out", out.toString());
        assertEquals(0, r[0], (String) r[1]);
        try (SafetensorsFile got = SafetensorsFile.open(out.resolve(PeftAdapter.WEIGHTS));
                SafetensorsFile exp = SafetensorsFile.open(golden("S_384").resolve("expected/task1/" + PeftAdapter.WEIGHTS))) {
            assertEquals(exp.names(), got.names());
            for (String k : exp.names()) {
                FloatTensor a = exp.read(k);
                FloatTensor b = got.read(k);
                for (int i = 0; i < a.data().length; i++) {
                    assertEquals(a.data()[i], b.data()[i], 1e-5, k + "[" + i + "]");
                }
            }
        }
    }

    /** The golden checkpoint's raw pooled embedding of task {@code task}, as a --task-embedding file. */
    private Path rawEmbedding(String variant, int task) throws Exception {
        Path emb = tmp.resolve("raw.json");
        Files.writeString(emb, Json.read(golden(variant).resolve("task_embeddings.json")).get("embeddings").get(task)
                .get("raw_pooled").toString());
        return emb;
    }

    /**
     * {@code --heads bf16}: the adapter from the head weights in bfloat16 stays within about a thousandth of the
     * reference's adapter's scale, and is not the float32 one; a value other than f32/bf16 is refused by name.
     */
    @Test
    void bf16HeadsGiveAnAdapterCloseToTheReferences() throws Exception {
        Path emb = rawEmbedding("L_384", 1);
        Path out = tmp.resolve("adapter");
        Object[] r = run("generate", "--t2l", golden("L_384").toString(), "--task-embedding", emb.toString(),
                "--heads", "bf16", "--out", out.toString());
        assertEquals(0, r[0], (String) r[1]);
        double worstRel = relativeToL384Task1(out);
        assertTrue(worstRel > 1e-6 && worstRel < 5e-3, "bf16 heads moved the adapter by " + worstRel + " of its scale");
        Object[] bad = run("generate", "--t2l", golden("L_384").toString(), "--task-embedding", emb.toString(),
                "--heads", "fp8", "--out", tmp.resolve("bad").toString());
        assertEquals(2, bad[0], (String) bad[1]);
        assertTrue(((String) bad[1]).contains("--heads"), (String) bad[1]);
        assertFalse(Files.exists(tmp.resolve("bad")));
    }

    /**
     * {@code --heads bf16dot} through the ./t2l launcher, which builds the native library and names it to the JVM:
     * the adapter stays within a hundredth or two of the reference's scale (measured 6.2e-3 at most on the golden
     * checkpoints, docs/PERFORMANCE.md). Needs a CPU with AVX512_BF16 and a C compiler.
     */
    @Test
    void bf16DotHeadsThroughTheLauncher() throws Exception {
        NativeLauncher.assumeItBuilds("avx512_bf16");
        Path emb = rawEmbedding("L_384", 1);
        Path out = tmp.resolve("adapter");
        NativeLauncher.run("generate", "--t2l", golden("L_384").toString(), "--task-embedding", emb.toString(),
                "--heads", "bf16dot", "--out", out.toString());
        double worstRel = relativeToL384Task1(out);
        assertTrue(worstRel > 1e-6 && worstRel < 2e-2, "bf16dot heads moved the adapter by " + worstRel);
    }

    /**
     * Without the native library (this JVM is not started by the launcher), {@code --heads bf16dot} stops before
     * anything is written and says why and what provides it.
     */
    @Test
    void bf16DotHeadsWithoutTheLibrarySayWhy() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(ai.t2l.compute.Bf16Dot.available(), "library loaded here");
        Object[] r = run("generate", "--t2l", golden("L_384").toString(), "--task-embedding",
                rawEmbedding("L_384", 1).toString(), "--heads", "bf16dot", "--out", tmp.resolve("a").toString());
        assertEquals(1, r[0], (String) r[1]);
        assertTrue(((String) r[1]).contains("bf16dot") && ((String) r[1]).contains("t2l.native.bf16dot"),
                (String) r[1]);
        assertFalse(Files.exists(tmp.resolve("a")));
    }

    /** Largest |Δ| over largest |value| of any tensor of the adapter in {@code out} against L_384's task 1. */
    private static double relativeToL384Task1(Path out) throws Exception {
        double worstRel = 0;
        try (SafetensorsFile got = SafetensorsFile.open(out.resolve(PeftAdapter.WEIGHTS));
                SafetensorsFile exp = SafetensorsFile.open(golden("L_384").resolve("expected/task1/"
                        + PeftAdapter.WEIGHTS))) {
            assertEquals(exp.names(), got.names());
            for (String k : exp.names()) {
                float[] a = exp.read(k).data();
                float[] b = got.read(k).data();
                double max = 0;
                double diff = 0;
                for (int i = 0; i < a.length; i++) {
                    max = Math.max(max, Math.abs(a[i]));
                    diff = Math.max(diff, Math.abs(a[i] - b[i]));
                }
                worstRel = Math.max(worstRel, diff / max);
            }
        }
        return worstRel;
    }

    /**
     * The bundled encoder's embedding of a description, computed here without the project's embedder: ONNX Runtime
     * on the bundled bge-small .onnx resource, the HF tokenizer from its tokenizer.json (special tokens added, as
     * sentence-transformers does), CLS pooling, then the reference's {@code F.normalize(x) * sqrt(dim)} (T2L-SPEC
     * §3, {@code embed_texts}).
     */
    static float[] independentEmbedding(String text) throws Exception {
        byte[] model;
        byte[] tokenizer;
        try (var m = GenerateCommandTest.class.getResourceAsStream("/bge-small-en-v1.5-q.onnx");
                var t = GenerateCommandTest.class.getResourceAsStream("/bge-small-en-v1.5-q-tokenizer.json")) {
            model = m.readAllBytes();
            tokenizer = t.readAllBytes();
        }
        long[] ids;
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(new java.io.ByteArrayInputStream(tokenizer),
                Map.of("truncation", "false", "padding", "false"))) {
            ids = tok.encode(text).getIds();
        }
        assertEquals(101, ids[0], "[CLS] first");
        assertEquals(102, ids[ids.length - 1], "[SEP] last");
        long[] mask = new long[ids.length];
        Arrays.fill(mask, 1);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions())) {
            Map<String, OnnxTensor> in = new HashMap<>();
            in.put("input_ids", OnnxTensor.createTensor(env, new long[][] {ids}));
            in.put("attention_mask", OnnxTensor.createTensor(env, new long[][] {mask}));
            if (session.getInputNames().contains("token_type_ids")) {
                in.put("token_type_ids", OnnxTensor.createTensor(env, new long[][] {new long[ids.length]}));
            }
            try (OrtSession.Result r = session.run(in)) {
                float[] cls = ((float[][][]) r.get(0).getValue())[0][0];
                double norm = 0;
                for (float v : cls) {
                    norm += (double) v * v;
                }
                norm = Math.sqrt(norm);
                float[] out = new float[cls.length];
                for (int i = 0; i < cls.length; i++) {
                    out[i] = (float) (cls[i] / norm * Math.sqrt(cls.length));
                }
                return out;
            } finally {
                in.values().forEach(OnnxTensor::close);
            }
        }
    }

    /** Issue 13.2: the embedding and the adapter of {@code generate --description}, not only that files exist. */
    @Test
    void descriptionGivesTheHypernetworksAdapterForTheEncodersEmbedding() throws Exception {
        String description = "Classify the sentiment of movie reviews as positive or negative.";
        float[] independent = independentEmbedding(description);
        try (OnnxTaskEmbedder bundled = OnnxTaskEmbedder.bundled()) {
            float[] ours = bundled.embed(description).vector();
            assertEquals(independent.length, ours.length);
            for (int i = 0; i < ours.length; i++) {
                assertEquals(independent[i], ours[i], 1e-4, "bundled embedding [" + i + "]");
            }
        }
        Path out = tmp.resolve("from-description");
        Object[] r = run("generate", "--t2l", golden("L_384").toString(), "--description", description,
                "--out", out.toString());
        assertEquals(0, r[0], (String) r[1]);
        assertEquals(description, Files.readString(out.resolve("task_desc.txt")));
        LoraWeights expected;
        try (NDManager m = NDManager.newBaseManager("PyTorch");
                HypernetCheckpoint ck = HypernetCheckpoint.load(golden("L_384"), LoadOptions.defaults(), m)) {
            expected = ck.hypernet().generate(independent);
        }
        LoraWeights got = PeftAdapter.read(out);
        assertEquals(expected.pairs().keySet(), got.pairs().keySet());
        double largestB = 0;
        for (var e : expected.pairs().entrySet()) {
            LoraWeights.Pair want = e.getValue();
            LoraWeights.Pair have = got.pairs().get(e.getKey());
            for (int i = 0; i < want.a().data().length; i++) {
                assertEquals(want.a().data()[i], have.a().data()[i], 1e-4, "A of " + e.getKey() + " [" + i + "]");
            }
            for (int i = 0; i < want.b().data().length; i++) {
                assertEquals(want.b().data()[i], have.b().data()[i], 1e-4, "B of " + e.getKey() + " [" + i + "]");
                largestB = Math.max(largestB, Math.abs(want.b().data()[i]));
            }
        }
        assertTrue(largestB > 1e-3, "the generated B is (nearly) zero: " + largestB + "; the comparison means little");
    }

    @Test
    void descriptionsFileWritesOneAdapterEach() throws Exception {
        Path list = tmp.resolve("tasks.txt");
        Files.writeString(list, "Classify the sentiment of movie reviews\n\nTranslate English to French\n");
        Path out = tmp.resolve("many");
        Object[] r = run("generate", "--t2l", golden("M_384").toString(), "--descriptions", list.toString(),
                "--out", out.toString());
        assertEquals(0, r[0], (String) r[1]);
        assertEquals("Translate English to French",
                Files.readString(out.resolve("adapter_0002/task_desc.txt")));
        assertTrue(Files.exists(out.resolve("adapter_0001/" + PeftAdapter.WEIGHTS)));
        assertFalse(Files.exists(out.resolve("adapter_0003")));
    }

    @Test
    void badInputFailsClearlyAndLeavesNoFolder() throws Exception {
        Path out = tmp.resolve("none");
        Object[] empty = run("generate", "--t2l", golden("L_384").toString(), "--description", "   ", "--out", out.toString());
        assertEquals(1, empty[0]);
        assertTrue(((String) empty[1]).contains("description is empty"), (String) empty[1]);
        Object[] dim = run("generate", "--t2l", golden("L_1024").toString(), "--description", "Summarise news",
                "--out", out.toString());
        assertEquals(1, dim[0]);
        assertTrue(((String) dim[1]).contains("expects 1024-d") && ((String) dim[1]).contains("gives 384"), (String) dim[1]);
        Path emb = tmp.resolve("short.json");
        Files.writeString(emb, "[1, 2, 3]");
        Object[] wrong = run("generate", "--t2l", golden("L_384").toString(), "--task-embedding", emb.toString(),
                "--out", out.toString());
        assertEquals(1, wrong[0]);
        assertTrue(((String) wrong[1]).contains("3 values, expected 384"), (String) wrong[1]);
        Object[] model = run("generate", "--t2l", golden("L_384").toString(), "--model", tmp.toString(),
                "--task-embedding", emb.toString(), "--out", out.toString());
        assertEquals(1, model[0]);
        assertTrue(((String) model[1]).contains("config.json"), (String) model[1]);
        assertFalse(Files.exists(out), "no partial adapter folder");
        try (var s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".none")), "no temp folder left");
        }
    }
}
