package ai.t2l.hypernet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.t2l.io.DType;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.Json;
import ai.t2l.io.SafetensorsFile;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Parity with adapters the reference code generated (fixtures/golden/t2l/README.md): atol 1e-5. */
class HyperGoldenTest {
    private static final double ATOL = 1e-5;
    private static final Pattern KEY = Pattern.compile("base_model\\.model\\.model\\.layers\\.(\\d+)\\.self_attn\\.(\\w+)\\.lora_([AB])\\.weight");

    @TempDir
    Path tmp;

    static String[] variants() {
        return Golden.VARIANTS;
    }

    @ParameterizedTest
    @MethodSource("variants")
    void generatesTheReferenceAdapters(String variant) {
        Path dir = Golden.dir(variant);
        double worstEnc = 0;
        double worstLora = 0;
        try (NDManager nd = NDManager.newBaseManager("PyTorch");
                HypernetCheckpoint ckpt = HypernetCheckpoint.load(dir, LoadOptions.defaults(), nd);
                SafetensorsFile encoded = SafetensorsFile.open(dir.resolve("expected/encoded_task_emb.safetensors"))) {
            HyperModulator h = ckpt.hypernet();
            assertEquals(List.of("v_proj", "q_proj"), h.config().moduleOrder(), "default order = adapter_config.json");
            for (int t = 0; t < 3; t++) {
                float[] emb = Golden.embedding(variant, t, "task_emb");
                NDArray e = h.encodeTask(nd.create(emb, new Shape(1, emb.length)));
                worstEnc = Math.max(worstEnc, Golden.assertClose(variant + " encoded task" + t,
                        encoded.read("task" + t), e.toFloatArray(), e.getShape().getShape(), ATOL));
                LoraWeights w = h.generate(emb);
                Path expectedDir = dir.resolve("expected/task" + t);
                try (SafetensorsFile exp = SafetensorsFile.open(expectedDir.resolve(PeftAdapter.WEIGHTS))) {
                    assertEquals(exp.names().size(), 2 * w.pairs().size(), variant + ": number of LoRA tensors");
                    for (String k : exp.names()) {
                        Matcher m = KEY.matcher(k);
                        assertTrue(m.matches(), k);
                        LoraWeights.Pair p = w.get(Integer.parseInt(m.group(1)), m.group(2));
                        FloatTensor got = m.group(3).equals("A") ? p.a() : p.b();
                        worstLora = Math.max(worstLora, Golden.assertClose(variant + " task" + t + " " + k,
                                exp.read(k), got.data(), got.shape(), ATOL));
                    }
                }
                Path out = tmp.resolve(variant + "-task" + t);
                PeftAdapter.write(out, w, h.config().baseModel(), "task " + t, false);
                assertSameAdapterFolder(expectedDir, out);
            }
        }
        System.out.printf("golden %-24s max|diff| encoded %.3g, LoRA %.3g%n", variant, worstEnc, worstLora);
    }

    /** The three golden tasks in one call (rows of all tasks through the network together) give the same adapters. */
    @ParameterizedTest
    @MethodSource("variants")
    void generatesTheReferenceAdaptersInOneBatch(String variant) {
        Path dir = Golden.dir(variant);
        try (NDManager nd = NDManager.newBaseManager("PyTorch");
                HypernetCheckpoint ckpt = HypernetCheckpoint.load(dir, LoadOptions.defaults(), nd)) {
            List<float[]> embs = List.of(Golden.embedding(variant, 0, "task_emb"),
                    Golden.embedding(variant, 1, "task_emb"), Golden.embedding(variant, 2, "task_emb"));
            List<LoraWeights> all = ckpt.hypernet().generate(embs);
            assertEquals(3, all.size());
            for (int t = 0; t < 3; t++) {
                try (SafetensorsFile exp = SafetensorsFile.open(dir.resolve("expected/task" + t).resolve(PeftAdapter.WEIGHTS))) {
                    assertEquals(exp.names().size(), 2 * all.get(t).pairs().size(), variant + ": number of LoRA tensors");
                    for (String k : exp.names()) {
                        Matcher m = KEY.matcher(k);
                        assertTrue(m.matches(), k);
                        LoraWeights.Pair p = all.get(t).get(Integer.parseInt(m.group(1)), m.group(2));
                        FloatTensor got = m.group(3).equals("A") ? p.a() : p.b();
                        Golden.assertClose(variant + " batched task" + t + " " + k, exp.read(k), got.data(), got.shape(),
                                ATOL);
                    }
                }
            }
        }
    }

    private static void assertSameAdapterFolder(Path expected, Path actual) {
        try (SafetensorsFile e = SafetensorsFile.open(expected.resolve(PeftAdapter.WEIGHTS));
                SafetensorsFile a = SafetensorsFile.open(actual.resolve(PeftAdapter.WEIGHTS))) {
            assertEquals(new TreeSet<>(e.names()), new TreeSet<>(a.names()), "key set");
            for (String k : e.names()) {
                assertEquals(DType.F32, a.entry(k).dtype(), k + " dtype");
                assertEquals(List.of(box(e.shape(k))), List.of(box(a.shape(k))), k + " shape");
            }
            assertTrue(a.metadata().isEmpty(), "no __metadata__ in the header, as the reference's save_file");
        }
        assertTrue(Files.exists(actual.resolve("task_desc.txt")));
        JsonNode ec = Json.read(expected.resolve(PeftAdapter.CONFIG));
        JsonNode ac = Json.read(actual.resolve(PeftAdapter.CONFIG));
        for (Map.Entry<String, JsonNode> f : (Iterable<Map.Entry<String, JsonNode>>) ec::fields) {
            if (f.getKey().equals("inference_mode")) {
                continue; // the reference writes its training config (false); PEFT forces true when loading
            }
            assertEquals(f.getValue(), ac.get(f.getKey()), "adapter_config.json field '" + f.getKey() + "'");
        }
        assertFalse(ac.path("use_dora").asBoolean());
    }

    private static Long[] box(long[] a) {
        Long[] b = new Long[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[i];
        }
        return b;
    }
}
