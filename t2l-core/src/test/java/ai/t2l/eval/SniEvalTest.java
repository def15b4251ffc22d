package ai.t2l.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.eval.bench.Benchmark;
import ai.t2l.eval.bench.Benchmarks;
import ai.t2l.eval.bench.Item;
import ai.t2l.eval.bench.SniBenchmark;
import ai.t2l.io.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An SNI task through the evaluation runner: its test part, the lol prompt, the mean ROUGE-L F as the score. */
class SniEvalTest {
    @TempDir
    Path tmp;

    private Path task(int n) throws Exception {
        StringBuilder inst = new StringBuilder();
        for (int i = 0; i < n; i++) {
            inst.append(i == 0 ? "" : ",").append("{\"id\":\"task9002-").append(i).append("\",\"input\":\"number ")
                    .append(i).append("\",\"output\":[\"the answer is ").append(i).append("\"]}");
        }
        Path f = tmp.resolve("task9002_numbers.json");
        Files.writeString(f, "{\"Definition\":[\"Say the number.\"],\"Instances\":[" + inst + "]}");
        return f;
    }

    @Test
    void theScoreIsTheMeanRougeLNotTheShareOfPerfectAnswers() throws Exception {
        Benchmark b = Benchmarks.parse(task(20).toString()).get(0);
        assertTrue(b instanceof SniBenchmark);
        assertEquals("lol_9002", b.name());
        List<Item> items = b.load(tmp);
        assertEquals(2, items.size(), "20 instances: held out ceil(4.0) = 4, test ceil(2.0) = 2");
        Item first = items.get(0);
        assertEquals("Say the number. Please complete the task without any explanation.\n\nnumber "
                + first.id().substring("task9002-".length()), first.user());
        Map<String, String> answers = new HashMap<>();
        // a perfect answer (F = 1) and a partial one: gold [the, answer, is, N] vs [answer]: LCS 1, P = 1, R = 1/4,
        // F = 2 (1/4) / (5/4) = 0.4; mean 0.7 -> 70.0 (accuracy would say 50.0)
        answers.put(first.user() + "\u0000", first.gold());
        answers.put(items.get(1).user() + "\u0000", "Answer");
        Path out = tmp.resolve("out");
        EvalRunner runner = new EvalRunner(EvalSettings.of(tmp, out), (c, t, done, total, correct) -> { });
        TaskResult r = runner.run(new FakeModel(answers, 4, -1), Condition.base("fake", PromptOptions.BASE), b);
        assertEquals(70.0, r.score(), 1e-12);
        assertEquals("rougeL_fmeasure", r.metric());
        assertEquals(1, r.correct(), "a perfect ROUGE-L counts as correct");
        JsonNode file = Json.read(EvalRunner.resultFile(out, Condition.base("fake", PromptOptions.BASE), b));
        assertEquals(1.0, file.get("items").get(0).get("score").asDouble(), 0.0);
        assertEquals(0.4, file.get("items").get(1).get("score").asDouble(), 1e-12);
    }

    @Test
    void theIclAndDescriptionPrefixesDoNotReachAnSniPrompt() throws Exception {
        // the reference's lol branch returns before it builds them (hm/vllm_eval.py eval)
        Benchmark b = new SniBenchmark(task(20));
        Item item = b.load(tmp).get(0);
        ChatPrompt p = new PromptOptions(true, true).build(b, item);
        assertEquals(item.user(), p.user());
        assertEquals("", p.prefill());
    }

    @Test
    void benchmarkItemsCarryNoScoreField() throws Exception {
        ItemResult r = new ItemResult("1", "u", "", "o", "o", true, "");
        assertFalse(Json.write(r).contains("\"score\""), Json.write(r));
    }

    @Test
    void rougeColumnsStayOutOfTheBenchmarkAverage() {
        // row A: arc_easy 60, gsm8k 40, lol_035 R-L 10 -> AVG (60 + 40) / 2 = 50, not 110 / 3
        // row B: lol_035 only, 30 -> AVG 30
        java.util.function.BiFunction<String, Object[], ai.t2l.eval.report.ResultFiles.Summary> r = (row, x) ->
                new ai.t2l.eval.report.ResultFiles.Summary(Path.of(row, x[0] + ".json"), (String) x[0], (String) x[1], row,
                        (Double) x[2], 10);
        ai.t2l.eval.report.CombinedTable t = ai.t2l.eval.report.CombinedTable.of(List.of(
                r.apply("A", new Object[] {"lol_035", "lol_035 R-L", 10.0}),
                r.apply("A", new Object[] {"arc_easy", "ArcE", 60.0}),
                r.apply("A", new Object[] {"gsm8k", "GSM8K", 40.0}),
                r.apply("B", new Object[] {"lol_035", "lol_035 R-L", 30.0})));
        assertEquals(List.of("ArcE", "GSM8K", "lol_035 R-L"), t.columns(), "SNI columns after the benchmarks");
        assertEquals(50.0, t.rows().get(0).average(), 0.0);
        assertEquals(30.0, t.rows().get(1).average(), 0.0);
    }
}
