package ai.t2l.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.Shared;
import ai.t2l.eval.bench.Benchmark;
import ai.t2l.eval.bench.Benchmarks;
import ai.t2l.eval.bench.Gsm8k;
import ai.t2l.eval.bench.Item;
import ai.t2l.eval.bench.Verdict;
import ai.t2l.io.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every item of every text benchmark: the gold answer, written the ways a model writes it, scores 100%,
 * and a wrong answer scores 0. The golds are read here straight from the data files (with Jackson or by
 * splitting lines), not through the benchmark readers under test.
 */
class EvalBenchmarksTest {
    private static final Path DATA = Shared.data("benchmarks");

    /** One raw record: the id the file gives (or the index), the right label and a wrong one. */
    record Raw(String id, String gold, String wrong) {}

    static Stream<Arguments> textBenchmarks() {
        return Stream.of(
                Arguments.of("arc_challenge", 1172, (BiFunction<String, String, List<String>>) EvalBenchmarksTest::choiceRenderings),
                Arguments.of("arc_easy", 2376, (BiFunction<String, String, List<String>>) EvalBenchmarksTest::choiceRenderings),
                Arguments.of("boolq", 3270, (BiFunction<String, String, List<String>>) (g, t) -> List.of(g, g.toLowerCase() + ".", "`" + g.toLowerCase() + "`", " " + g + "\n")),
                Arguments.of("hellaswag", 10042, (BiFunction<String, String, List<String>>) EvalBenchmarksTest::choiceRenderings),
                Arguments.of("openbookqa", 500, (BiFunction<String, String, List<String>>) EvalBenchmarksTest::choiceRenderings),
                Arguments.of("piqa", 1838, (BiFunction<String, String, List<String>>) EvalBenchmarksTest::choiceRenderings),
                Arguments.of("winogrande", 1267, (BiFunction<String, String, List<String>>) EvalBenchmarksTest::choiceRenderings));
    }

    /** How models answer a choice question: bare, in backticks, with a dot or parentheses, after a space. */
    static List<String> choiceRenderings(String label, String unused) {
        return List.of(label, "`" + label + "`", label + ".", "(" + label + ")", " " + label + ": the text", "\n" + label.toLowerCase());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("textBenchmarks")
    void goldScoresAllAndWrongScoresNone(String name, int count, BiFunction<String, String, List<String>> render) throws IOException {
        Benchmark b = Benchmarks.byName(name);
        List<Item> items = b.load(DATA);
        List<Raw> raw = raw(name);
        assertEquals(count, items.size(), name + " item count (SOURCE.md)");
        assertEquals(count, raw.size(), name + " raw record count");
        for (int i = 0; i < items.size(); i++) {
            Item item = items.get(i);
            Raw r = raw.get(i);
            assertEquals(r.id(), item.id(), name + " item " + i + " id");
            for (String answer : render.apply(r.gold(), "")) {
                Verdict v = b.score(item, answer);
                assertTrue(v.correct(), name + " " + item.id() + ": gold written as \"" + answer + "\" scored wrong (extracted " + v.extracted() + ")");
            }
            for (String answer : render.apply(r.wrong(), "")) {
                Verdict v = b.score(item, answer);
                assertTrue(!v.correct(), name + " " + item.id() + ": wrong answer \"" + answer + "\" scored right");
            }
        }
    }

    @Test
    void gsm8kReferenceModeScoresEveryGoldSolutionAndFinalNumber() throws IOException {
        Gsm8k b = new Gsm8k();
        List<Item> items = b.load(DATA);
        List<String> lines = Files.readAllLines(DATA.resolve("gsm8k/test.jsonl"));
        assertEquals(1319, items.size());
        List<String> differs = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String solution = Json.MAPPER.readTree(lines.get(i)).get("answer").asText();
            String fin = solution.substring(solution.indexOf("####") + 4).strip();
            Item item = items.get(i);
            assertEquals(String.valueOf(i), item.id());
            // a model that writes the worked solution, or ends with the number as the data writes it
            for (String out : List.of(" " + solution, " ... so the answer is " + fin + ".", "The answer is $" + fin + "\n")) {
                assertTrue(b.score(item, out).correct(), "gsm8k " + i + ": \"" + out + "\" scored wrong");
            }
            String wrong = fin.replace(",", "").replace("-", "");
            wrong = new java.math.BigInteger(wrong).add(java.math.BigInteger.ONE).toString();
            assertTrue(!b.score(item, "The answer is " + wrong + ".").correct(), "gsm8k " + i + ": wrong " + wrong + " scored right");
            if (!b.goldNumber(solution).equals(fin)) {
                differs.add(fin);
            }
        }
        // the reference's comma- and sign-blind gold (spec §8.2) differs exactly where the data has them
        List<String> withCommaOrSign = new ArrayList<>();
        for (String line : lines) {
            String s = Json.MAPPER.readTree(line).get("answer").asText();
            String fin = s.substring(s.indexOf("####") + 4).strip();
            if (fin.contains(",") || fin.contains("-")) {
                withCommaOrSign.add(fin);
            }
        }
        assertEquals(withCommaOrSign, differs);
        assertEquals(16, differs.size());
    }

    @Test
    void gsm8kFixedModeExtractsEveryFinalNumberExactly() throws IOException {
        Gsm8k b = new Gsm8k(true);
        List<Item> items = b.load(DATA);
        List<String> lines = Files.readAllLines(DATA.resolve("gsm8k/test.jsonl"));
        for (int i = 0; i < items.size(); i++) {
            String solution = Json.MAPPER.readTree(lines.get(i)).get("answer").asText();
            String fin = solution.substring(solution.indexOf("####") + 4).strip();
            assertEquals(fin.replace(",", ""), b.goldNumber(items.get(i).gold()), "gsm8k " + i);
            assertTrue(b.score(items.get(i), "Thus " + fin + ".").correct(), "gsm8k " + i + " fixed mode: " + fin);
            assertTrue(!b.score(items.get(i), "Thus " + fin + "1.").correct(), "gsm8k " + i + " fixed mode wrong");
        }
    }

    /** The raw records in file order, read without the readers under test. */
    static List<Raw> raw(String name) throws IOException {
        List<Raw> out = new ArrayList<>();
        switch (name) {
            case "arc_challenge", "arc_easy" -> {
                String file = name.equals("arc_easy") ? "arc_easy/ARC-Easy-Test.jsonl" : "arc_challenge/ARC-Challenge-Test.jsonl";
                for (String line : Files.readAllLines(DATA.resolve(file))) {
                    JsonNode n = Json.MAPPER.readTree(line);
                    String gold = n.get("answerKey").asText();
                    String wrong = null;
                    for (JsonNode c : n.get("question").get("choices")) {
                        if (!c.get("label").asText().equals(gold)) {
                            wrong = c.get("label").asText();
                            break;
                        }
                    }
                    out.add(new Raw(n.get("id").asText(), gold, wrong));
                }
            }
            case "boolq" -> {
                for (String line : Files.readAllLines(DATA.resolve("boolq/val.jsonl"))) {
                    JsonNode n = Json.MAPPER.readTree(line);
                    boolean t = n.get("label").asText().equals("true");
                    out.add(new Raw(n.get("idx").asText(), t ? "True" : "False", t ? "False" : "True"));
                }
            }
            case "hellaswag" -> {
                List<String> lines = Files.readAllLines(DATA.resolve("hellaswag/hellaswag_val_full.txt"));
                for (int i = 0; i + 5 < lines.size(); i += 6) {
                    int label = Integer.parseInt(lines.get(i + 1));
                    out.add(new Raw(String.valueOf(i / 6), String.valueOf(label), String.valueOf((label + 1) % 4)));
                }
            }
            case "openbookqa" -> {
                List<String> lines = Files.readAllLines(DATA.resolve("openbookqa/test.tsv"));
                for (String line : lines.subList(1, lines.size())) {
                    String[] f = line.split("\t");
                    String gold = f[4];
                    out.add(new Raw(f[0], gold, gold.equals("A") ? "B" : "A"));
                }
            }
            case "piqa" -> {
                List<String> labels = Files.readAllLines(DATA.resolve("piqa/valid-labels.lst"));
                for (int i = 0; i < labels.size(); i++) {
                    String g = labels.get(i).strip();
                    out.add(new Raw(String.valueOf(i), g, g.equals("0") ? "1" : "0"));
                }
            }
            case "winogrande" -> {
                List<String> labels = Files.readAllLines(DATA.resolve("winogrande/dev-labels.lst"));
                for (int i = 0; i < labels.size(); i++) {
                    String g = labels.get(i).strip();
                    out.add(new Raw(String.valueOf(i), g, g.equals("1") ? "2" : "1"));
                }
            }
            default -> throw new IllegalArgumentException(name);
        }
        return out;
    }
}
