package ai.t2l.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.t2l.cli.TinyWorld.Run;
import ai.t2l.embed.OnnxTaskEmbedder;
import ai.t2l.hypernet.HypernetCheckpoint;
import ai.t2l.hypernet.T2lFolder;
import ai.t2l.hypernet.TrainingTask;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import ai.t2l.io.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code t2l eval run} through the real runtime on a tiny random model, with the real benchmark data. */
class EvalRunEndToEndTest {
    static final Path SHARED = Paths.get(System.getProperty("t2l.shared", "../../shared"), "data");

    @TempDir
    static Path tmp;
    static Path model;

    @BeforeAll
    static void tiny() {
        model = TinyWorld.model(tmp.resolve("model"), 21);
    }

    static void ok(Run r) {
        assertEquals(0, r.code(), r.err());
    }

    static Run eval(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("eval", "run", "--model", model.toString(), "--max-new-tokens", "8",
                "--data", SHARED.resolve("benchmarks").toString(), "--out", out.toString()));
        args.addAll(List.of(more));
        return TinyWorld.run(args.toArray(String[]::new));
    }

    static List<Path> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
        }
    }

    @Test
    void everyBenchmarkTwiceGivesIdenticalReports() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        ok(eval(a, "--tasks", "all", "--limit", "2", "--batch-size", "2"));
        ok(eval(b, "--tasks", "all", "--limit", "2", "--batch-size", "1")); // batch size must not change a byte
        assertEquals(files(a), files(b));
        for (Path f : files(a)) {
            assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f.toString());
        }
        int nonEmpty = 0;
        for (Path f : files(a.resolve("results"))) {
            JsonNode r = Json.read(a.resolve("results").resolve(f));
            assertEquals(2, r.get("items").size(), f.toString());
            for (JsonNode item : r.get("items")) {
                nonEmpty += item.get("output").asText().isEmpty() ? 0 : 1;
            }
        }
        assertEquals(10, files(a.resolve("results")).size(), "one result file per benchmark");
        assertTrue(nonEmpty > 10, "the model generated text: " + nonEmpty + " of 20 outputs non-empty");
        assertTrue(Files.readString(a.resolve("results.md")).contains("| model |"), Files.readString(a.resolve("results.md")));
    }

    @Test
    void t2lProtocolWithAFreshHypernetMatchesTheBaseModel() throws IOException {
        Path t2l = TinyWorld.freshT2l(tmp.resolve("t2l"), model);
        Path out = tmp.resolve("t2l-out");
        ok(eval(out, "--t2l", t2l.toString(), "--tasks", "piqa", "--limit", "2",
                "--descriptions", SHARED.resolve("t2l-descriptions").toString()));
        assertTrue(Files.isRegularFile(out.resolve("t2l_plan.json")));
        assertTrue(Files.isRegularFile(out.resolve("generated_loras/piqa/eval_descs/lora_0/adapter_model.safetensors")));
        assertTrue(Files.readString(out.resolve("results.md")).contains("T2L (eval_descs)"));

        Path base = tmp.resolve("base-out");
        ok(eval(base, "--tasks", "piqa", "--limit", "2"));
        List<String> baseOutputs = outputs(Json.read(base.resolve("results/base/piqa.json")));
        List<Path> t2lResults = files(out.resolve("results"));
        assertEquals(9, t2lResults.size(), "3 eval, 3 other-task and 3 random descriptions: " + t2lResults);
        for (Path f : t2lResults) {
            // Bias-HyperInit: B = 0, so every generated adapter leaves the base model's greedy outputs unchanged.
            assertEquals(baseOutputs, outputs(Json.read(out.resolve("results").resolve(f))), f.toString());
        }
    }

    /**
     * Issue 13.1: with a hypernetwork whose adapters are not zero (reconstruction init: B depends on the
     * description), the T2L protocol's answers differ from the base model's and equal those of {@code eval run
     * --adapter} on the adapter it wrote, and that adapter is the hypernetwork applied to the bundled encoder's
     * embedding of its description.
     */
    @Test
    void t2lProtocolAnswersAreThoseOfItsGeneratedAdapters() throws IOException {
        Path t2l = TinyWorld.t2l(tmp.resolve("t2l-recon"), model, 384, TrainingTask.RECON, "bge-small-en-v1.5 (bundled)");
        Path out = tmp.resolve("t2l-recon-out");
        ok(eval(out, "--t2l", t2l.toString(), "--tasks", "piqa", "--limit", "4",
                "--descriptions", SHARED.resolve("t2l-descriptions").toString()));
        Path base = tmp.resolve("base-4");
        ok(eval(base, "--tasks", "piqa", "--limit", "4"));
        List<String> baseOutputs = outputs(single(base.resolve("results"), "piqa.json"));

        JsonNode lora0 = null;
        for (JsonNode l : Json.read(out.resolve("t2l_plan.json")).get("piqa")) {
            if (l.get("split").asText().equals("eval_descs") && l.get("index").asInt() == 0) {
                lora0 = l;
            }
        }
        assertTrue(lora0 != null, "t2l_plan.json has piqa eval_descs lora_0");
        Path adapterDir = out.resolve("generated_loras/piqa/eval_descs/lora_0");
        List<String> t2lOutputs = outputs(single(out.resolve("results/t2l-eval_descs/lora_0"), "piqa.json"));
        assertNotEquals(baseOutputs, t2lOutputs, "the generated adapter changed no answer: was it dropped?");

        Path viaAdapter = tmp.resolve("adapter-out");
        ok(eval(viaAdapter, "--adapter", adapterDir.toString(), "--tasks", "piqa", "--limit", "4"));
        assertEquals(outputs(single(viaAdapter.resolve("results"), "piqa.json")), t2lOutputs,
                "eval run --adapter " + adapterDir + " and the T2L protocol's row for it");

        LoraWeights expected;
        try (NDManager m = NDManager.newBaseManager("PyTorch"); HypernetCheckpoint ck = T2lFolder.load(t2l, m);
                OnnxTaskEmbedder e = OnnxTaskEmbedder.bundled()) {
            expected = ck.hypernet().generate(e.embed(lora0.get("description").asText()).vector());
        }
        LoraWeights written = PeftAdapter.read(adapterDir);
        assertEquals(expected.pairs().keySet(), written.pairs().keySet());
        expected.pairs().forEach((site, p) -> {
            assertArrayEquals(p.a().data(), written.pairs().get(site).a().data(), 1e-5f, "A of " + site);
            assertArrayEquals(p.b().data(), written.pairs().get(site).b().data(), 1e-5f, "B of " + site);
        });
    }

    /** The one file called {@code name} under {@code root}, read as JSON. */
    static JsonNode single(Path root, String name) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            List<Path> found = s.filter(p -> p.getFileName().toString().equals(name)).toList();
            assertEquals(1, found.size(), name + " under " + root + ": " + found);
            return Json.read(found.get(0));
        }
    }

    static List<String> outputs(JsonNode result) {
        List<String> o = new ArrayList<>();
        result.get("items").forEach(i -> o.add(i.get("output").asText()));
        return o;
    }
}
