package ai.t2l.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.cli.TinyWorld.Run;
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

    static List<String> outputs(JsonNode result) {
        List<String> o = new ArrayList<>();
        result.get("items").forEach(i -> o.add(i.get("output").asText()));
        return o;
    }
}
