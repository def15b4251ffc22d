package ai.t2l.eval.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.eval.Scorer;
import ai.t2l.eval.bench.CodeBenchmark;
import ai.t2l.eval.bench.CodeTask;
import ai.t2l.eval.bench.Item;
import ai.t2l.eval.bench.Verdict;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 10.3: whatever the sandbox's process prints (nothing, half a verdict, binary, megabytes, lies), the
 * item gets a verdict and the run goes on. The fake judges below replace judge.py and print exactly the bytes
 * under test, so the Java side that once threw StringIndexOutOfBoundsException meets them for real.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SandboxMalformedOutputTest {
    private static final SandboxLimits LIMITS = SandboxLimits.DEFAULT.withTime(Duration.ofSeconds(4), Duration.ofSeconds(30));

    /** A judge that writes {@code py} (a Python bytes literal) to stdout and exits with {@code exit}. */
    private static PythonSandbox fakeJudge(String py, int exit) {
        String src = "import os, sys\nsys.stdout.buffer.write(" + py + ")\nsys.stdout.flush()\nos._exit(" + exit + ")\n";
        return new PythonSandbox(LIMITS, SandboxMode.STRONG, src);
    }

    static Stream<Arguments> broken() {
        return Stream.of(
                Arguments.of("empty", "b''", 0),
                Arguments.of("the old success line alone", "b'T2L-SANDBOX-OK 00\\n'", 0),
                Arguments.of("a verdict line without its leading newline", "b'T2L-VERDICT {\"status\": \"passed\"}\\n'", 0),
                Arguments.of("truncated verdict", "b'\\nT2L-VERDICT {\"status\": \"pas'", 0),
                Arguments.of("mark without JSON", "b'\\nT2L-VERDICT '", 0),
                Arguments.of("JSON that is not an object", "b'\\nT2L-VERDICT [\"passed\"]\\n'", 0),
                Arguments.of("status that is not text", "b'\\nT2L-VERDICT {\"status\": true}\\n'", 0),
                Arguments.of("unknown status", "b'\\nT2L-VERDICT {\"status\": \"PASSED!!\"}\\n'", 0),
                Arguments.of("binary", "bytes(range(256)) * 64", 0),
                Arguments.of("binary inside the verdict", "b'\\nT2L-VERDICT {\"status\": \"\\xff\\xfe\\x00\"}\\n'", 0),
                Arguments.of("passed, but the judge failed", "b'\\nT2L-VERDICT {\"status\": \"passed\"}\\n'", 1),
                Arguments.of("passed, then more output", "b'\\nT2L-VERDICT {\"status\": \"passed\"}\\nmore\\n'", 0),
                Arguments.of("passed without the final newline", "b'\\nT2L-VERDICT {\"status\": \"passed\"}'", 0),
                Arguments.of("output and detail of the wrong types",
                        "b'\\nT2L-VERDICT {\"status\": \"failed\", \"output\": 3, \"detail\": [1]}\\n'", 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("broken")
    void aMalformedOutputIsAFailedItem(String name, String bytes, int exit) {
        SandboxResult r = fakeJudge(bytes, exit).run("def f():\n    return 2\n", "assert f() == 2\n", false);
        assertEquals(SandboxResult.Status.FAILED, r.status(), name + ": " + r.output());
        assertTrue(r.summary().startsWith("failed"), r.summary());
    }

    @Test
    void aHugeOutputIsCappedNotKept() {
        SandboxResult r = fakeJudge("b'x' * (64 << 20)", 0).run("def f():\n    return 2\n", "assert f() == 2\n", false);
        assertEquals(SandboxResult.Status.OUTPUT_LIMIT, r.status(), r.summary());
        assertTrue(r.output().length() < 1 << 20, "kept " + r.output().length() + " chars");
    }

    @Test
    void aWellFormedPassIsAPass() {
        SandboxResult r = fakeJudge("b'noise\\nT2L-VERDICT {\"status\": \"passed\", \"detail\": \"passed\", \"output\": \"hi\"}\\n'", 0)
                .run("", "", false);
        assertTrue(r.passed(), r.output());
        assertTrue(r.output().startsWith("hi"), r.output());
    }

    /** The run goes on: one item with a broken sandbox output among good ones gives one failed verdict, no exception. */
    @Test
    void aScoringRunSurvivesABadItem() {
        String judge = "import json, os, sys\njob = json.load(open('job.json'))\n"
                + "sys.stdout.write('T2L-SANDBOX-OK x\\n' if 'BAD' in job['code'] else '\\nT2L-VERDICT {\"status\": \"passed\"}\\n')\n"
                + "sys.stdout.flush()\nos._exit(0)\n";
        Scorer scorer = new Scorer(new PythonSandbox(LIMITS, SandboxMode.STRONG, judge), 2);
        List<Item> items = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            items.add(new Item("t" + i, "u", "", "", new CodeTask("", "assert True\n", false)));
            outputs.add(i == 2 ? "BAD" : "good");
        }
        List<Verdict> v = scorer.score(new Echo(), items, outputs);
        assertEquals(List.of(true, true, false, true), v.stream().map(Verdict::correct).toList());
    }

    @Test
    void theReaderIsTotalOnEveryPrefixOfAVerdict() {
        byte[] full = "out\nT2L-VERDICT {\"status\": \"passed\", \"detail\": \"passed\", \"output\": \"\\u00fc\"}\n"
                .getBytes(StandardCharsets.UTF_8);
        for (int n = 0; n < full.length; n++) {
            byte[] prefix = java.util.Arrays.copyOf(full, n);
            SandboxResult r = VerdictReader.read(prefix, true, 0, false, 1);
            assertEquals(SandboxResult.Status.FAILED, r.status(), "prefix of " + n + " bytes");
        }
        assertTrue(VerdictReader.read(full, true, 0, false, 1).passed());
    }

    /** A code benchmark whose solution is the output itself. */
    private static final class Echo implements CodeBenchmark {
        @Override
        public String solution(Item item, String output) {
            return output;
        }

        @Override
        public String name() {
            return "echo";
        }

        @Override
        public String column() {
            return "E";
        }

        @Override
        public String metric() {
            return "echo";
        }

        @Override
        public List<String> files() {
            return List.of();
        }

        @Override
        public List<Item> load(Path dir) {
            return List.of();
        }
    }
}
