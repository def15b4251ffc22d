package ai.t2l.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code t2l eval score|report|run} through Main, with the real data. */
class EvalCommandTest {
    private static final Path DATA = Paths.get(System.getProperty("t2l.shared", "../../shared"), "data", "benchmarks");

    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void scorePrintsTheMetricAndWritesVerdicts() throws Exception {
        List<String> lines = Files.readAllLines(DATA.resolve("winogrande/dev-labels.lst"));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            // half right, half wrong
            String label = lines.get(i).strip();
            String text = i % 2 == 0 ? label : (label.equals("1") ? "2" : "1");
            sb.append("{\"id\": ").append(i).append(", \"text\": \"").append(text).append("\"}\n");
        }
        Path preds = tmp.resolve("wg.jsonl");
        Files.writeString(preds, sb.toString());
        Path verdicts = tmp.resolve("verdicts.json");
        Run r = run("eval", "score", "--task", "winogrande", "--predictions", preds.toString(), "--data", DATA.toString(),
                "--out", verdicts.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("winogrande acc: 50.00 (5/10 items, 1257 without predictions left out)\n", r.out());
        assertTrue(Files.readString(verdicts).contains("\"correct\" : true"));

        Run report = run("eval", "report", tmp.toString());
        assertEquals(0, report.code(), report.err());
        assertTrue(report.out().startsWith("| Model | WG | AVG |\n|---|---|---|\n| wg.jsonl | 50.00 | 50.00 |"), report.out());
        assertTrue(Files.isRegularFile(tmp.resolve("results.svg")));
    }

    @Test
    void unknownTaskAndUnknownIdsAreClearErrors() throws Exception {
        Path preds = tmp.resolve("p.jsonl");
        Files.writeString(preds, "{\"id\": \"HumanEval/999\", \"text\": \"pass\"}\n");
        Run r = run("eval", "score", "--task", "humaneval", "--predictions", preds.toString(), "--data", DATA.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: " + preds + ": 1 prediction id(s) do not exist in humaneval: \"HumanEval/999\""), r.err());
        r = run("eval", "score", "--task", "mmlu", "--predictions", preds.toString(), "--data", DATA.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: unknown task \"mmlu\"; known tasks: arc_challenge, arc_easy,"), r.err());
    }

    /** Issue 10.1: the results say which containment ran the code; an unknown mode is an error line. */
    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void codeScoresRecordTheSandboxAndAnUnknownModeIsAClearError() throws Exception {
        Path preds = tmp.resolve("he.jsonl");
        Files.writeString(preds, "{\"id\": \"HumanEval/0\", \"text\": \"    return False\\n```\"}\n");
        Path verdicts = tmp.resolve("verdicts.json");
        Run r = run("eval", "score", "--task", "humaneval", "--predictions", preds.toString(), "--data", DATA.toString(),
                "--out", verdicts.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\ncode sandbox: strong: bubblewrap"), r.out());
        assertTrue(Files.readString(verdicts).contains("\"sandbox\" : \"strong: bubblewrap"), Files.readString(verdicts));
        r = run("eval", "score", "--task", "humaneval", "--predictions", preds.toString(), "--data", DATA.toString(),
                "--sandbox", "none");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: --sandbox: expected strong or weak, found \"none\""), r.err());
    }

    @Test
    void runOnAMissingModelFolderSaysSo() {
        Run r = run("eval", "run", "--model", tmp.resolve("model").toString(), "--tasks", "piqa", "--limit", "2",
                "--data", DATA.toString(), "--out", tmp.resolve("out").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: " + tmp.resolve("model") + ": no such model folder"), r.err());
        r = run("eval", "run", "--model", "m", "--tasks", "piqa,nope", "--out", tmp.resolve("out").toString(), "--data", DATA.toString());
        assertTrue(r.err().contains("unknown task \"nope\"; known tasks:"), r.err());
    }
}
