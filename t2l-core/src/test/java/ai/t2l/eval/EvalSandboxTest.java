package ai.t2l.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.Shared;
import ai.t2l.eval.bench.HumanEval;
import ai.t2l.eval.bench.Item;
import ai.t2l.eval.bench.Mbpp;
import ai.t2l.eval.bench.Verdict;
import ai.t2l.eval.sandbox.PythonSandbox;
import ai.t2l.eval.sandbox.SandboxLimits;
import ai.t2l.eval.sandbox.SandboxMode;
import ai.t2l.eval.sandbox.SandboxResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
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

/** The code sandbox on the real HumanEval and MBPP data, and on programs that try to harm the evaluator. */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class EvalSandboxTest {
    /** The sandbox runs python3: skip with the install step when it is missing (fail in CI, issue 10 item 12). */
    @org.junit.jupiter.api.BeforeAll
    static void needsPython() {
        ai.t2l.ExternalTools.require("python3", "the code-benchmark sandbox runs Python", "apt-get install -y python3");
    }

    private static final Path DATA = Shared.data("benchmarks");
    private static final PythonSandbox FAST = new PythonSandbox(SandboxLimits.DEFAULT.withTime(Duration.ofSeconds(2), Duration.ofSeconds(6)));

    /**
     * MBPP test problems whose own reference code fails its own test_list. Each was checked by hand:
     * empty until proven otherwise.
     */
    static final List<String> MBPP_DATA_FAILURES = List.of();

    @Test
    void humanEvalCanonicalSolutionsPassAll164() {
        HumanEval he = new HumanEval();
        List<Item> items = he.load(DATA);
        assertEquals(164, items.size());
        // the model writes the body after the prefilled signature, then closes the fence
        List<String> outputs = items.stream().map(i -> "\n" + i.gold() + "\n```\nSome chatter.").toList();
        List<Verdict> v = new Scorer(new PythonSandbox(), 3).score(he, items, outputs);
        List<String> failed = failures(items, v);
        assertEquals(List.of(), failed, "HumanEval canonical solutions that failed");
    }

    @Test
    void humanEvalWrongSolutionsFailAll164() {
        HumanEval he = new HumanEval();
        List<Item> items = he.load(DATA);
        List<String> outputs = items.stream().map(i -> "\n    return 'not the answer'\n```").toList();
        List<Verdict> v = new Scorer(FAST, 3).score(he, items, outputs);
        List<String> passed = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            if (v.get(i).correct()) {
                passed.add(items.get(i).id());
            }
        }
        assertEquals(List.of(), passed, "HumanEval items a wrong solution passed");
    }

    @Test
    void mbppReferenceCodePassesTheTestProblems() {
        Mbpp mbpp = new Mbpp();
        List<Item> items = mbpp.load(DATA);
        assertEquals(500, items.size());
        assertEquals("11", items.get(0).id());
        assertEquals("510", items.get(items.size() - 1).id());
        // as a model would write it after the "```python" prefill, with a usage example the sanitiser drops
        List<String> outputs = items.stream().map(i -> "\n" + i.gold() + "\n\nprint('example')\n```\nDone.").toList();
        List<Verdict> v = new Scorer(new PythonSandbox(), 3).score(mbpp, items, outputs);
        assertEquals(MBPP_DATA_FAILURES, failures(items, v), "MBPP reference solutions that failed");
    }

    @Test
    void mbppWrongSolutionsFail() {
        Mbpp mbpp = new Mbpp();
        List<Item> items = mbpp.load(DATA);
        List<String> outputs = items.stream().map(i -> "\ndef unrelated():\n    return None\n```").toList();
        List<Verdict> v = new Scorer(FAST, 3).score(mbpp, items, outputs);
        assertTrue(v.stream().noneMatch(Verdict::correct), "a wrong MBPP solution passed");
    }

    private static List<String> failures(List<Item> items, List<Verdict> v) {
        List<String> failed = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            if (!v.get(i).correct()) {
                failed.add(items.get(i).id() + " (" + v.get(i).detail() + ")");
            }
        }
        return failed;
    }

    static Stream<Arguments> hostile() {
        return Stream.of(
                Arguments.of("infinite loop", "while True:\n    pass\n", SandboxResult.Status.TIMEOUT),
                Arguments.of("sleeps forever", "import time\ntime.sleep(10**6)\n", SandboxResult.Status.TIMEOUT),
                Arguments.of("fork bomb", "import os\nwhile True:\n    os.fork()\n", SandboxResult.Status.FAILED),
                Arguments.of("fork bomb via subprocess",
                        "import subprocess, sys\nwhile True:\n    subprocess.Popen([sys.executable, '-c', 'pass'])\n",
                        SandboxResult.Status.FAILED),
                Arguments.of("memory hog, at once", "x = bytearray(4 * 1024 ** 3)\n", SandboxResult.Status.FAILED),
                Arguments.of("memory hog, growing", "x = []\nwhile True:\n    x.append(bytearray(200_000_000))\n",
                        SandboxResult.Status.FAILED),
                Arguments.of("exit(0) before the asserts", "import sys\nsys.exit(0)\n", SandboxResult.Status.FAILED),
                Arguments.of("os._exit(0) before the asserts", "import os\nos._exit(0)\n", SandboxResult.Status.FAILED),
                Arguments.of("huge print", "while True:\n    print('x' * 100000)\n", SandboxResult.Status.OUTPUT_LIMIT),
                Arguments.of("network", "import socket\nsocket.create_connection(('127.0.0.1', 9))\n", SandboxResult.Status.FAILED),
                Arguments.of("fakes the success line", "print('T2L-SANDBOX-OK 0000')\nimport os\nos._exit(0)\n",
                        SandboxResult.Status.FAILED),
                Arguments.of("wrong answer", "def f():\n    return 1\n", SandboxResult.Status.FAILED));
    }

    /**
     * FAST's limits; for the growing memory hog with 256 MiB of address space: under the default 1 GiB it
     * zero-fills about 800 MB before the limit stops it, which on a loaded machine took more than the 2 s of CPU
     * (a timeout instead of the memory failure that case is about).
     */
    private static SandboxLimits hostileLimits(String name) {
        SandboxLimits fast = SandboxLimits.DEFAULT.withTime(Duration.ofSeconds(2), Duration.ofSeconds(6));
        return name.equals("memory hog, growing") ? fast.withMemoryBytes(256L << 20) : fast;
    }

    /**
     * Time limits are tested by outcome (issue 13.7): the hanging programs end with the TIMEOUT verdict, and
     * {@code @Timeout} turns a sandbox that never returns into a failure instead of a hung build.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void hostileProgramsAreContainedAndFail(String name, String code, SandboxResult.Status expected) {
        SandboxResult r = new PythonSandbox(hostileLimits(name)).run(code, "assert f() == 2\n", false);
        assertEquals(expected, r.status(), name + ": " + r.summary());
        assertFalse(r.passed());
        assertTrue(r.output().length() <= 2 * SandboxLimits.DEFAULT.outputBytes() + 4096, "captured output is capped");
    }

    /** The same hostile programs under the weak containment (machines without bubblewrap, --sandbox weak). */
    @ParameterizedTest(name = "weak: {0}")
    @MethodSource("hostile")
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void hostileProgramsAreContainedByTheWeakSandboxToo(String name, String code, SandboxResult.Status expected) {
        PythonSandbox plain = new PythonSandbox(hostileLimits(name), SandboxMode.WEAK);
        SandboxResult r = plain.run(code, "assert f() == 2\n", false);
        assertEquals(expected, r.status(), name + ": " + r.summary());
        SandboxResult ok = plain.run("def f():\n    return 2\n", "assert f() == 2\n", false);
        assertTrue(ok.passed(), ok.summary());
    }

    @Test
    void theProgramCannotSeeTheProject() {
        // the environment half of the old check lives in SandboxContainmentTest, where the secret is really set
        String probe = "import os\nf = lambda: (os.getcwd(), sorted(os.listdir('.')))\n";
        SandboxResult r = FAST.run(probe, "print(f())\nassert 'pom.xml' not in f()[1]\n", false);
        assertTrue(r.passed(), r.summary());
        assertFalse(r.output().contains(Paths.get("").toAbsolutePath().toString() + "'"), r.output());
    }

    @Test
    void sanitiserKeepsWhatTheTestsNeedAndDropsTheRest() {
        String code = "import math\nR = 3\ndef helper(x):\n    return x * R\n\ndef f(x):\n    return helper(x) + math.floor(0.5)\n"
                + "\nprint(f(1))\nassert f(1) == 999\nif __name__ == '__main__':\n    raise SystemExit(1)\ndef broken(:\n";
        SandboxResult r = FAST.run(code, "assert f(2) == 6\n", true);
        assertTrue(r.passed(), r.summary() + "\n" + r.output());
    }
}
