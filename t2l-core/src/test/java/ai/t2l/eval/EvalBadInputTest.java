package ai.t2l.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.Shared;
import ai.t2l.eval.bench.Benchmark;
import ai.t2l.eval.bench.Benchmarks;
import ai.t2l.eval.bench.Item;
import ai.t2l.io.T2lException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad input: missing files, malformed lines (reported with their number), unknown tasks and ids. */
class EvalBadInputTest {
    private static final Path DATA = Shared.data("benchmarks");

    @TempDir
    Path tmp;

    /** For each benchmark: the file to corrupt and the 1-based line that gets broken. */
    static Stream<Arguments> corruptions() {
        return Stream.of(
                Arguments.of("arc_challenge", "arc_challenge/ARC-Challenge-Test.jsonl", 7),
                Arguments.of("arc_easy", "arc_easy/ARC-Easy-Test.jsonl", 12),
                Arguments.of("boolq", "boolq/val.jsonl", 3),
                Arguments.of("gsm8k", "gsm8k/test.jsonl", 5),
                Arguments.of("hellaswag", "hellaswag/hellaswag_val_full.txt", 8),
                Arguments.of("openbookqa", "openbookqa/test.tsv", 4),
                Arguments.of("piqa", "piqa/valid.jsonl", 9),
                Arguments.of("piqa", "piqa/valid-labels.lst", 9),
                Arguments.of("winogrande", "winogrande/dev.reconstructed.jsonl", 6),
                Arguments.of("winogrande", "winogrande/dev-labels.lst", 6),
                Arguments.of("humaneval", "humaneval/HumanEval.jsonl.gz", 2),
                Arguments.of("mbpp", "mbpp/mbpp.jsonl", 20));
    }

    @ParameterizedTest(name = "{0}: {1} line {2}")
    @MethodSource("corruptions")
    void aMalformedLineIsReportedWithFileAndLineNumber(String task, String file, int line) throws IOException {
        Benchmark b = Benchmarks.byName(task);
        copyData(b);
        List<String> lines = readLines(tmp.resolve(file));
        lines.set(line - 1, "{\"broken\": ");
        writeLines(tmp.resolve(file), lines);
        T2lException e = assertThrows(T2lException.class, () -> b.load(tmp));
        assertTrue(e.getMessage().startsWith(tmp.resolve(file) + ":" + line + ":"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void aMissingFileIsNamed(String task) throws IOException {
        Benchmark b = Benchmarks.byName(task);
        for (String f : b.files()) {
            copyData(b);
            Files.delete(tmp.resolve(f));
            T2lException e = assertThrows(T2lException.class, () -> b.load(tmp));
            assertTrue(e.getMessage().startsWith(tmp.resolve(f) + ": no such file"), e.getMessage());
        }
    }

    static Stream<String> names() {
        return Benchmarks.names().stream();
    }

    @Test
    void aMissingFieldIsNamed() throws IOException {
        Benchmark b = Benchmarks.byName("gsm8k");
        copyData(b);
        Path f = tmp.resolve("gsm8k/test.jsonl");
        List<String> lines = readLines(f);
        lines.set(2, "{\"question\": \"How many?\"}");
        writeLines(f, lines);
        T2lException e = assertThrows(T2lException.class, () -> b.load(tmp));
        assertEquals(f + ":3: field \"answer\": expected a string, found nothing", e.getMessage());
    }

    @Test
    void anUnknownTaskListsTheKnownOnes() {
        T2lException e = assertThrows(T2lException.class, () -> Benchmarks.parse("arc_easy,mmlu"));
        assertEquals("unknown task \"mmlu\"; known tasks: arc_challenge, arc_easy, boolq, gsm8k, hellaswag, openbookqa, "
                + "piqa, winogrande, humaneval, mbpp, or a Super-NaturalInstructions task (lol_NNN with --sni-dir DIR, or a"
                + " taskNNN_*.json path)", e.getMessage());
    }

    @Test
    void predictionsForIdsThatDoNotExistAreNamed() throws IOException {
        Benchmark b = Benchmarks.byName("mbpp");
        List<Item> items = b.load(DATA);
        Path p = tmp.resolve("preds.jsonl");
        // task 5 is in MBPP's prompt split, 600 in validation: neither is a test problem
        Files.writeString(p, "{\"id\": 11, \"text\": \"x\"}\n{\"id\": 5, \"text\": \"x\"}\n{\"id\": \"600\", \"text\": \"x\"}\n");
        T2lException e = assertThrows(T2lException.class,
                () -> Predictions.score(b, items, Predictions.read(p), p, new Scorer()));
        assertTrue(e.getMessage().startsWith(p + ": 2 prediction id(s) do not exist in mbpp: \"5\", \"600\""), e.getMessage());
    }

    @Test
    void malformedAndDuplicatePredictionLinesAreNamed() throws IOException {
        Path p = tmp.resolve("preds.jsonl");
        Files.writeString(p, "{\"id\": 0, \"text\": \"A\"}\n{\"id\": 1, \"text\": \n");
        T2lException e = assertThrows(T2lException.class, () -> Predictions.read(p));
        assertTrue(e.getMessage().startsWith(p + ":2: not valid JSON"), e.getMessage());
        Files.writeString(p, "{\"id\": 0, \"text\": \"A\"}\n{\"id\": \"0\", \"text\": \"B\"}\n");
        e = assertThrows(T2lException.class, () -> Predictions.read(p));
        assertEquals(p + ":2: id \"0\" already given at line 1", e.getMessage());
        Files.writeString(p, "{\"id\": 0, \"output\": \"A\"}\n");
        e = assertThrows(T2lException.class, () -> Predictions.read(p));
        assertEquals(p + ":1: field \"text\": expected a string, found nothing", e.getMessage());
    }

    @Test
    void goldPredictionsScoreAllAndOnlyTheGivenItemsCount() throws IOException {
        Benchmark b = Benchmarks.byName("piqa");
        List<Item> items = b.load(DATA);
        List<String> labels = Files.readAllLines(DATA.resolve("piqa/valid-labels.lst"));
        Path p = tmp.resolve("preds.jsonl");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            sb.append("{\"id\": ").append(i).append(", \"text\": \"").append(labels.get(i).strip()).append("\"}\n");
        }
        Files.writeString(p, sb.toString());
        TaskResult r = Predictions.score(b, items, Predictions.read(p), p, new Scorer());
        assertEquals(100, r.n());
        assertEquals(100.0, r.score());
        Map<String, String> preds = Predictions.read(p);
        assertEquals("0", preds.keySet().iterator().next());
    }

    private void copyData(Benchmark b) throws IOException {
        for (String f : b.files()) {
            Path to = tmp.resolve(f);
            Files.createDirectories(to.getParent());
            Files.copy(DATA.resolve(f), to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static List<String> readLines(Path f) throws IOException {
        byte[] raw = Files.readAllBytes(f);
        if (f.toString().endsWith(".gz")) {
            try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(raw))) {
                raw = in.readAllBytes();
            }
        }
        return new ArrayList<>(List.of(new String(raw, StandardCharsets.UTF_8).split("\n", -1)));
    }

    private static void writeLines(Path f, List<String> lines) throws IOException {
        byte[] raw = String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
        if (f.toString().endsWith(".gz")) {
            ByteArrayOutputStream bo = new ByteArrayOutputStream();
            try (OutputStream out = new GZIPOutputStream(bo)) {
                out.write(raw);
            }
            raw = bo.toByteArray();
        }
        Files.write(f, raw);
    }
}
