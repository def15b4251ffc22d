package ai.t2l.eval.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 10.2: verdicts the tested code cannot forge. Every solution below is wrong (the answer is 2 and none
 * computes it); each tries another way to be scored as passed. The HumanEval-shaped test is used so the
 * forgeries meet the real {@code check(candidate)} structure.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SandboxVerdictTest {
    private static final PythonSandbox STRONG =
            new PythonSandbox(SandboxLimits.DEFAULT.withTime(Duration.ofSeconds(4), Duration.ofSeconds(30)), SandboxMode.STRONG);
    private static final String TEST = "def check(candidate):\n    assert candidate(1) == 2\n    assert candidate(5) == 2\n\ncheck(f)\n";

    static Stream<Arguments> forgeries() {
        return Stream.of(
                // the attack of the issue: walk the frames to the bootstrap's secret and print its success line
                Arguments.of("frame walk to the nonce, success line, exit 0", """
                        import sys, os
                        def f(x):
                            fr = sys._getframe()
                            while fr is not None:
                                for scope in (fr.f_locals, fr.f_globals):
                                    for k, v in list(scope.items()):
                                        if 'nonce' in k and isinstance(v, str):
                                            sys.stdout.write('\\nT2L-SANDBOX-OK ' + v + '\\n')
                                fr = fr.f_back
                            sys.stdout.write('\\nT2L-VERDICT {"status": "passed", "detail": "passed", "output": ""}\\n')
                            sys.stdout.flush()
                            os._exit(0)
                        """),
                Arguments.of("an object whose __eq__ is always True", """
                        class Yes:
                            def __eq__(self, other):
                                return True
                            __hash__ = object.__hash__
                        def f(x):
                            return Yes()
                        """),
                Arguments.of("an int subclass whose __eq__ is always True", """
                        class Two(int):
                            def __eq__(self, other):
                                return True
                            __hash__ = int.__hash__
                        def f(x):
                            return Two(x)
                        """),
                Arguments.of("os._exit(0) in the call", "import os\ndef f(x):\n    os._exit(0)\n"),
                Arguments.of("sys.exit(0) in the call", "import sys\ndef f(x):\n    sys.exit(0)\n"),
                Arguments.of("os._exit(0) at import", "import os\nos._exit(0)\ndef f(x):\n    return x\n"),
                Arguments.of("AssertionError disarmed", """
                        import builtins
                        class Quiet(BaseException):
                            pass
                        builtins.AssertionError = Quiet
                        def f(x):
                            return x
                        """),
                Arguments.of("the frame's check replaced", """
                        import sys
                        def f(x):
                            fr = sys._getframe(1)
                            fr.f_globals['check'] = lambda c: None
                            return x
                        """),
                Arguments.of("success line printed, then a wrong answer",
                        "import sys\ndef f(x):\n    print('\\nT2L-VERDICT {\"status\": \"passed\"}')\n    return None\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forgeries")
    void aForgedPassIsAFailure(String name, String code) {
        SandboxResult r = STRONG.run(code, TEST, false);
        assertEquals(SandboxResult.Status.FAILED, r.status(), name + ": " + r.output());
    }

    @Test
    void theRightAnswerStillPasses() {
        SandboxResult r = STRONG.run("def f(x):\n    return 2\n", TEST, false);
        assertTrue(r.passed(), r.output());
    }

    /**
     * Issue 10.3 end to end: this solution made the old sandbox print exactly "T2L-SANDBOX-OK nonce\n" (its stdout
     * filter ate the leading newline), and PythonSandbox.execute threw StringIndexOutOfBoundsException, ending
     * the whole scoring run. It is a right answer, so it must simply pass.
     */
    @Test
    void aSolutionThatRewritesItsOwnStdoutGetsAVerdict() {
        String code = "import sys\n_w = sys.stdout.write\nsys.stdout.write = lambda s: _w(s.lstrip('\\n'))\ndef f(x):\n    return 2\n";
        SandboxResult r = STRONG.run(code, TEST, false);
        assertTrue(r.passed(), r.output());
    }

    @Test
    void exceptionsKeepTheirBuiltInTypeForTheTests() {
        SandboxResult r = STRONG.run("def f(x):\n    raise ValueError('no')\n",
                "try:\n    f(1)\n    raise SystemExit('no exception')\nexcept ValueError as e:\n    assert str(e) == 'no'\n", false);
        assertTrue(r.passed(), r.output());
    }

    @Test
    void plainValuesCrossIntact() {
        String code = "def f(x):\n    return [x, (x, -0.0, 1e308, 2**200), {x: {1, 2}, 'k': frozenset([3])}, b'\\x00\\xff', 1+2j, None, True, 'ü\\udc80']\n";
        String test = "assert f(7) == [7, (7, -0.0, 1e308, 2**200), {7: {1, 2}, 'k': frozenset([3])}, b'\\x00\\xff', 1+2j, None, True, 'ü\\udc80']\n"
                + "assert type(f(7)[1][3]) is int and type(f(7)[6]) is bool\n";
        SandboxResult r = STRONG.run(code, test, false);
        assertTrue(r.passed(), r.output());
    }

    @Test
    void objectsThatAreNotPlainDataStayInTheSandboxButCanBeUsed() {
        // MBPP 601-like: the test builds the solution's own class and passes the instances back
        String code = "class Pair:\n    def __init__(self, a, b):\n        self.a = a\n        self.b = b\n"
                + "def longest(pairs):\n    return max(p.b - p.a for p in pairs)\n"
                + "def gen(n):\n    return (i * i for i in range(n))\n";
        String test = "assert longest([Pair(1, 5), Pair(2, 3)]) == 4\nassert list(gen(3)) == [0, 1, 4]\nassert gen(3) != [0, 1, 4]\n"
                + "assert Pair(1, 2).b == 2\n"
                // MBPP 367-like: test_setup_code links the solution's objects by attribute
                + "p = Pair(0, 1)\np.b = 9\nassert longest([p]) == 9\n";
        SandboxResult r = STRONG.run(code, test, false);
        assertTrue(r.passed(), r.output());
    }
}
