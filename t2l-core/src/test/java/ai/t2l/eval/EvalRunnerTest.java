package ai.t2l.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.Shared;
import ai.t2l.eval.bench.Benchmark;
import ai.t2l.eval.bench.Benchmarks;
import ai.t2l.eval.bench.Item;
import ai.t2l.eval.report.CombinedTable;
import ai.t2l.eval.t2l.T2lProtocol;
import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner end to end with a fake model: reports, determinism, resuming, conditions, T2L protocol. */
class EvalRunnerTest {
    private static final Path DATA = Shared.data("benchmarks");
    private static final Path DESCS = Shared.data("t2l-descriptions");
    private static final int LIMIT = 3;

    @TempDir
    Path tmp;

    @AfterEach
    void unregister() {
        EvalRuntime.registerModels(null);
        EvalRuntime.registerGenerators(null);
    }

    /** Right answers (as a model writes them) for even item indexes, nothing useful for odd ones. */
    static Map<String, String> answers(List<Benchmark> tasks, PromptOptions p) {
        Map<String, String> m = new HashMap<>();
        for (Benchmark b : tasks) {
            List<Item> items = b.load(DATA);
            for (int i = 0; i < Math.min(LIMIT, items.size()); i += 2) {
                Item item = items.get(i);
                String right = switch (b.name()) {
                    case "humaneval", "mbpp" -> "\n" + item.gold() + "\n```";
                    case "gsm8k" -> " " + item.gold();
                    default -> item.gold();
                };
                m.put(FakeModel.key(p.build(b, item)), right);
            }
        }
        return m;
    }

    private static EvalSettings settings(Path out) {
        return EvalSettings.of(DATA, out).withLimit(LIMIT);
    }

    @Test
    void everyBenchmarkEndToEndTwiceGivesIdenticalFiles() throws IOException {
        List<Benchmark> all = Benchmarks.parse("all");
        Map<String, String> answers = answers(all, PromptOptions.BASE);
        List<FakeModel> opened = new ArrayList<>();
        EvalRuntime.registerModels((model, adapter) -> {
            FakeModel f = new FakeModel(answers, 2, -1);
            opened.add(f);
            return f;
        });
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        CombinedTable ta = Evaluation.run(EvalRequest.base(tmp.resolve("tiny-model"), all, PromptOptions.BASE, settings(a)), ProgressListener.NONE);
        Evaluation.run(EvalRequest.base(tmp.resolve("tiny-model"), all, PromptOptions.BASE, settings(b)), ProgressListener.NONE);
        assertEquals(snapshot(a), snapshot(b));
        assertTrue(opened.stream().allMatch(f -> f.closed), "models are closed");
        // items 0 and 2 answered right, item 1 not: 2 of 3 everywhere
        assertEquals(1, ta.rows().size());
        assertEquals("tiny-model", ta.rows().get(0).label());
        assertEquals(10, ta.columns().size());
        assertEquals(List.of("ArcC", "ArcE", "BoolQ", "GSM8K", "HS", "OQA", "PIQA", "WG", "HE", "MBPP"), ta.columns());
        for (Double cell : ta.rows().get(0).cells()) {
            assertEquals(200.0 / 3, cell, 1e-9);
        }
        // batched by the model's preference: 3 items -> batches of 2 and 1, for each of 10 tasks, per run
        assertEquals(2, opened.size());
        assertEquals(20, opened.get(0).batches.size());
        // the per-benchmark JSON holds every prompt, output, extracted answer and verdict
        JsonNode gsm = Json.read(a.resolve("results/base/gsm8k.json"));
        assertEquals(3, gsm.get("items").size());
        JsonNode first = gsm.get("items").get(0);
        assertEquals("0", first.get("id").asText());
        assertTrue(first.get("user").asText().startsWith("Please answer the following question: Janet"));
        assertEquals("Let's think step by step.", first.get("prefill").asText());
        assertEquals("18", first.get("extracted").asText());
        assertTrue(first.get("correct").asBoolean());
        assertFalse(gsm.get("items").get(1).get("correct").asBoolean());
        assertTrue(Files.readString(a.resolve("results.md")).startsWith("| Model | ArcC | ArcE |"));
        assertTrue(Files.readString(a.resolve("results.svg")).startsWith("<svg"));
        assertTrue(Files.readString(a.resolve("results.csv")).startsWith("model,arc_challenge,arc_easy,"));

        // a third run over a finished folder needs no model at all and rewrites identical files
        EvalRuntime.registerModels(null);
        Map<String, String> before = snapshot(a);
        Evaluation.run(EvalRequest.base(tmp.resolve("tiny-model"), all, PromptOptions.BASE, settings(a)), ProgressListener.NONE);
        assertEquals(before, snapshot(a));
    }

    @Test
    void anInterruptedRunResumesWithoutRegeneratingAndEndsIdentical() throws IOException {
        List<Benchmark> tasks = Benchmarks.parse("arc_easy,boolq,gsm8k");
        Map<String, String> answers = answers(tasks, PromptOptions.BASE);
        EvalRuntime.registerModels((m, ad) -> new FakeModel(answers, 1, -1));
        Path straight = tmp.resolve("straight");
        Evaluation.run(EvalRequest.base(tmp.resolve("m"), tasks, PromptOptions.BASE, settings(straight)), ProgressListener.NONE);

        Path resumed = tmp.resolve("resumed");
        FakeModel crashing = new FakeModel(answers, 1, 4);
        EvalRuntime.registerModels((m, ad) -> crashing);
        assertThrows(IllegalStateException.class, () ->
                Evaluation.run(EvalRequest.base(tmp.resolve("m"), tasks, PromptOptions.BASE, settings(resumed)), ProgressListener.NONE));
        assertEquals(4, Files.readAllLines(resumed.resolve("cache.jsonl")).size());
        // and a write torn by the kill
        Files.writeString(resumed.resolve("cache.jsonl"), "{\"condition\":\"base\",\"ta", java.nio.file.StandardOpenOption.APPEND);

        FakeModel second = new FakeModel(answers, 1, -1);
        EvalRuntime.registerModels((m, ad) -> second);
        Evaluation.run(EvalRequest.base(tmp.resolve("m"), tasks, PromptOptions.BASE, settings(resumed)), ProgressListener.NONE);
        assertEquals(9 - 4, second.batches.size(), "only the items not cached are generated again");
        Map<String, String> s = snapshot(straight);
        Map<String, String> r = snapshot(resumed);
        s.remove("cache.jsonl");
        r.remove("cache.jsonl");
        assertEquals(s, r);
    }

    @Test
    void iclTaskDescAndAdapterConditionsGetTheirOwnRowsAndPrompts() throws IOException {
        List<Benchmark> tasks = Benchmarks.parse("arc_challenge,gsm8k");
        Map<String, String> answers = new HashMap<>();
        for (PromptOptions p : List.of(PromptOptions.BASE, new PromptOptions(true, false), new PromptOptions(false, true))) {
            answers.putAll(answers(tasks, p));
        }
        List<Optional<Path>> adapters = new ArrayList<>();
        EvalRuntime.registerModels((m, ad) -> {
            adapters.add(ad);
            return new FakeModel(answers, 4, -1);
        });
        Path out = tmp.resolve("out");
        Path adapter = tmp.resolve("mt_lora");
        Evaluation.run(EvalRequest.base(tmp.resolve("m"), tasks, PromptOptions.BASE, settings(out)), ProgressListener.NONE);
        Evaluation.run(EvalRequest.base(tmp.resolve("m"), tasks, new PromptOptions(true, false), settings(out)), ProgressListener.NONE);
        Evaluation.run(EvalRequest.base(tmp.resolve("m"), tasks, new PromptOptions(false, true), settings(out)), ProgressListener.NONE);
        CombinedTable t = Evaluation.run(new EvalRequest(tmp.resolve("m"), Optional.of(adapter), Optional.empty(), tasks,
                PromptOptions.BASE, settings(out), null, 42), ProgressListener.NONE);
        assertEquals(List.of(Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(adapter)), adapters);
        assertEquals(List.of("m", "m + mt_lora", "m w/ ICL", "m w/ task desc"), t.rows().stream().map(CombinedTable.Row::label).sorted().toList());
        JsonNode icl = Json.read(out.resolve("results/icl/arc_challenge.json")).get("items").get(0);
        assertTrue(icl.get("user").asText().startsWith("\nHere are some examples of the tasks you will be asked to solve."));
        assertEquals("Answer:", icl.get("prefill").asText());
        // the reference's GSM8K quirk: no prefix, its own prefill, whatever the condition
        JsonNode gIcl = Json.read(out.resolve("results/icl/gsm8k.json")).get("items").get(0);
        JsonNode gBase = Json.read(out.resolve("results/base/gsm8k.json")).get("items").get(0);
        assertEquals(gBase.get("user").asText(), gIcl.get("user").asText());
        assertEquals("Let's think step by step.", gIcl.get("prefill").asText());
        JsonNode desc = Json.read(out.resolve("results/task_desc/arc_challenge.json")).get("items").get(0);
        String held = Json.read(DESCS.resolve("eval_descriptions.json")).get("arc_challenge").get(0).asText();
        assertTrue(desc.get("user").asText().startsWith(held + "\n\n"), "the task description is the first held-out one");
    }

    @Test
    void t2lProtocolGeneratesAdaptersPerSplitAndAveragesThem() throws IOException {
        List<Benchmark> tasks = Benchmarks.parse("openbookqa,piqa");
        Map<String, String> answers = answers(tasks, PromptOptions.BASE);
        List<String> described = new ArrayList<>();
        EvalRuntime.registerGenerators((t2l, model) -> (description, dir) -> {
            described.add(description);
            try {
                Files.createDirectories(dir);
                Files.writeString(dir.resolve("adapter_config.json"), "{}");
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
            return dir;
        });
        List<Path> adapters = new ArrayList<>();
        EvalRuntime.registerModels((m, ad) -> {
            adapters.add(ad.orElseThrow());
            return new FakeModel(answers, 8, -1);
        });
        Path out = tmp.resolve("t2l");
        EvalRequest req = new EvalRequest(tmp.resolve("m"), Optional.empty(), Optional.of(tmp.resolve("ckpt")), tasks,
                PromptOptions.BASE, settings(out), DESCS, 42);
        CombinedTable t = Evaluation.run(req, ProgressListener.NONE);
        // benchmarks are not training tasks: eval (3) + other (3) + random (3) adapters each
        assertEquals(18, described.size());
        assertEquals(18, adapters.size());
        assertEquals(List.of("T2L (eval_descs)", "T2L (other_train_descs)", "T2L (random_descs)"),
                t.rows().stream().map(CombinedTable.Row::label).toList());
        JsonNode evalDescs = Json.read(DESCS.resolve("eval_descriptions.json"));
        JsonNode lists = Json.read(DESCS.resolve("train_task_lists.json"));
        JsonNode plan = Json.read(out.resolve("t2l_plan.json"));
        for (Benchmark b : tasks) {
            List<String> eval = new ArrayList<>();
            List<String> other = new ArrayList<>();
            List<String> random = new ArrayList<>();
            for (JsonNode l : plan.get(b.name())) {
                String split = l.get("split").asText();
                String d = l.get("description").asText();
                (split.equals("eval_descs") ? eval : split.equals("other_train_descs") ? other : random).add(d);
                assertTrue(Files.isRegularFile(out.resolve("generated_loras").resolve(b.name()).resolve(split)
                        .resolve("lora_" + l.get("index").asInt()).resolve("adapter_config.json")));
            }
            List<String> held = new ArrayList<>();
            evalDescs.get(b.name()).forEach(x -> held.add(x.asText()));
            assertEquals(held, eval);
            List<String> nonsense = new ArrayList<>();
            lists.get("additional_eval_descs").forEach(x -> nonsense.add(x.asText()));
            assertEquals(nonsense, random);
            assertEquals(3, other.stream().distinct().count());
            for (String o : other) {
                assertFalse(held.contains(o), "another task's description, not the task's own");
            }
        }
        // all answers the same under every adapter here, so each split's mean is 2/3
        for (CombinedTable.Row r : t.rows()) {
            r.cells().forEach(c -> assertEquals(200.0 / 3, c, 1e-9));
        }
        // rerun: everything cached, no generator or model needed, same plan
        EvalRuntime.registerModels(null);
        EvalRuntime.registerGenerators(null);
        Map<String, String> before = snapshot(out);
        Evaluation.run(req, ProgressListener.NONE);
        assertEquals(before, snapshot(out));
    }

    @Test
    void t2lPlanDependsOnTheSeedOnlyInTheOtherTaskDraw() {
        List<Benchmark> tasks = Benchmarks.parse("gsm8k");
        List<T2lProtocol.Lora> a = Evaluation.plan(DESCS, tasks, 42).get("gsm8k");
        List<T2lProtocol.Lora> b = Evaluation.plan(DESCS, tasks, 42).get("gsm8k");
        List<T2lProtocol.Lora> c = Evaluation.plan(DESCS, tasks, 7).get("gsm8k");
        assertEquals(a, b);
        assertNotEquals(a, c);
        assertEquals(a.stream().filter(l -> !l.split().equals("other_train_descs")).toList(),
                c.stream().filter(l -> !l.split().equals("other_train_descs")).toList());
    }

    @Test
    void withoutARegisteredRuntimeTheErrorSaysSo() {
        T2lException e = assertThrows(T2lException.class, () -> Evaluation.run(
                EvalRequest.base(tmp.resolve("m"), Benchmarks.parse("piqa"), PromptOptions.BASE, settings(tmp.resolve("o"))),
                ProgressListener.NONE));
        assertTrue(e.getMessage().startsWith("model runtime not available"), e.getMessage());
    }

    /** Every file under the folder, by relative path, with its text. */
    static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(dir.relativize(p).toString(), Files.readString(p));
            }
        }
        return m;
    }
}
