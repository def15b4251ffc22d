package ai.t2l.eval.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.io.T2lException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10.1: the attacks that escaped the old sandbox, each now contained by the strong one. Every attack
 * aims at files in a folder this test made OUTSIDE the sandbox (a secret to read, a file to delete, a place
 * to write), and the test checks the files themselves afterwards, whatever verdict the item got.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SandboxContainmentTest {
    private static final PythonSandbox STRONG =
            new PythonSandbox(SandboxLimits.DEFAULT.withTime(Duration.ofSeconds(4), Duration.ofSeconds(30)), SandboxMode.STRONG);

    @TempDir
    Path outside;
    private Path secret;
    private String secretText;
    private Path victim;

    @BeforeEach
    void plant() throws Exception {
        secretText = "secret-" + Long.toHexString(new Random(42).nextLong());
        secret = Files.writeString(outside.resolve("secret.txt"), secretText);
        victim = Files.writeString(outside.resolve("victim.txt"), "do not delete");
    }

    /** Runs {@code body} as the solution's function f; the (trusted) test prints what f returned. */
    private SandboxResult attack(String body) {
        String code = "def f():\n" + body.indent(4);
        return STRONG.run(code, "print('RESULT', repr(f()))\n", false);
    }

    private String py(Path p) {
        return "'" + p.toAbsolutePath() + "'";
    }

    @Test
    void shellThroughCtypesCannotTouchTheHost() {
        Path made = outside.resolve("made-by-ctypes");
        SandboxResult r = attack("import ctypes\nreturn ctypes.CDLL(None).system(b'touch " + made + "; rm -f " + victim + "')");
        assertTrue(r.output().contains("RESULT"), "the attack did not run: " + r.output());
        assertFalse(Files.exists(made), "ctypes.CDLL(None).system ran a shell on the host");
        assertTrue(Files.exists(victim));
    }

    @Test
    void shellThroughPosixSystemCannotTouchTheHost() {
        Path made = outside.resolve("made-by-posix");
        SandboxResult r = attack("import posix\nreturn posix.system('touch " + made + "')");
        assertTrue(r.output().contains("RESULT"), "the attack did not run: " + r.output());
        assertFalse(Files.exists(made), "posix.system ran a shell on the host");
    }

    @Test
    void reloadingOsDoesNotGiveBackAShell() {
        Path made = outside.resolve("made-by-reload");
        SandboxResult r = attack("import importlib, os\nimportlib.reload(os)\nreturn os.system('touch " + made + "')");
        assertTrue(r.output().contains("RESULT"), "the attack did not run: " + r.output());
        assertFalse(Files.exists(made), "importlib.reload(os) restored os.system");
    }

    @Test
    void openCannotWriteOutsideItsTemporaryFolder() {
        Path made = outside.resolve("written.txt");
        SandboxResult r = attack("open(" + py(made) + ", 'w').write('x')\nreturn 'wrote'");
        assertFalse(Files.exists(made), "open() wrote outside the sandbox: " + r.output());
        // ... while its own private /tmp works, so honest code that uses scratch files still can
        SandboxResult own = attack("open('/tmp/scratch.txt', 'w').write('x')\nreturn open('/tmp/scratch.txt').read()");
        assertTrue(own.passed() && own.output().contains("RESULT 'x'"), own.output());
    }

    @Test
    void theUsersFilesCannotBeRead() {
        SandboxResult r = attack("out = []\nfor p in (" + py(secret) + ", '/etc/passwd', '/etc/shadow', '/root/.bashrc'):\n"
                + "    try:\n        out.append(open(p).read())\n    except OSError as e:\n        out.append(type(e).__name__)\nreturn out");
        assertTrue(r.output().contains("RESULT"), r.output());
        assertFalse(r.output().contains(secretText), "the secret was read: " + r.output());
        assertFalse(r.output().contains("root:x:0:0"), "/etc/passwd was read: " + r.output());
    }

    @Test
    void theProjectAndHomeAreNotThere() {
        String project = Path.of("").toAbsolutePath().toString();
        SandboxResult r = attack("import os\nreturn [os.path.exists(p) for p in ('" + project + "', '/work', '/root', '/home', "
                + py(outside) + ")]");
        assertTrue(r.output().contains("RESULT [False, False, False, False, False]"), r.output());
    }

    @Test
    void posixUnlinkCannotDeleteAnOutsideFile() {
        SandboxResult r = attack("import posix\ntry:\n    posix.unlink(" + py(victim) + ")\n    return 'deleted'\nexcept OSError as e:\n    return e.errno");
        assertTrue(r.output().contains("RESULT"), "the attack did not run: " + r.output());
        assertTrue(Files.exists(victim), "posix.unlink deleted a file outside the sandbox");
    }

    @Test
    void theProgramRunsAsAnUnprivilegedUser() {
        SandboxResult r = attack("import os\nreturn (os.getuid(), os.geteuid(), open('/proc/self/status').read().split('CapEff:')[1].split()[0])");
        assertTrue(r.passed(), r.output());
        assertFalse(r.output().contains("RESULT (0,"), "the program ran as root: " + r.output());
        assertTrue(r.output().contains("'0000000000000000'"), "the program kept capabilities: " + r.output());
    }

    @Test
    void processesAndProgramsCannotBeStarted() {
        // seccomp refuses fork/exec in the kernel, whatever Python-level guard the program undoes
        SandboxResult r = attack("import posix\nout = []\nfor call in (lambda: posix.fork(), lambda: posix.execv('/usr/bin/true', ['true'])):\n"
                + "    try:\n        call()\n        out.append('ran')\n    except OSError as e:\n        out.append(e.errno)\nreturn out");
        assertTrue(r.output().contains("RESULT [1, 1]"), r.output());
    }

    @Test
    void aForkBombAsRootIsBounded() {
        SandboxResult r = STRONG.run("import posix\nwhile True:\n    posix.fork()\n", "assert f() == 2\n", false);
        assertEquals(SandboxResult.Status.FAILED, r.status(), r.summary());
    }

    @Test
    void aThreadBombIsBounded() {
        SandboxResult r = STRONG.run("import threading, time\nwhile True:\n    threading.Thread(target=time.sleep, args=(60,)).start()\n",
                "assert f() == 2\n", false);
        assertEquals(SandboxResult.Status.FAILED, r.status(), r.summary());
    }

    @Test
    void thereIsNoNetwork() {
        SandboxResult r = attack("import _socket\ntry:\n    _socket.socket()\n    return 'socket'\nexcept OSError as e:\n    return e.errno");
        assertTrue(r.output().contains("RESULT 1"), r.output());
    }

    /** Issue 13.7: checked in a folder of this test's own, not by counting a /tmp that other builds share. */
    @Test
    void aCorrectProgramPassesAndLeavesNoTemporaryFolder(@TempDir Path root) throws Exception {
        SandboxResult r = STRONG.withTemporaryRoot(root).run("def f():\n    return 2\n", "assert f() == 2\nprint('fine')\n", false);
        assertTrue(r.passed(), r.summary());
        assertTrue(r.output().contains("fine"), r.output());
        try (var left = Files.list(root)) {
            assertEquals(List.of(), left.toList(), "the per-run folder is removed");
        }
    }

    @Test
    void theContainmentIsNamedForTheResults() {
        String c = STRONG.containment();
        assertTrue(c.startsWith("strong: bubblewrap"), c);
        assertTrue(c.contains("seccomp") && c.contains("namespaces"), c);
    }

    /** Issue 13.4: a secret in the environment the sandbox is started from reaches neither of its processes. */
    @Test
    void aSecretInTheParentsEnvironmentReachesNeitherProcess() {
        String value = "tok-" + Long.toHexString(new Random(7).nextLong());
        PythonSandbox leaky = STRONG.withParentEnvironment(Map.of("T2L_SECRET", value));
        SandboxResult r = leaky.run("import os\ndef f():\n    return dict(os.environ)\n",
                "import os\nprint('JUDGE', dict(os.environ))\nprint('CANDIDATE', f())\n", false);
        assertTrue(r.passed(), r.output());
        assertTrue(r.output().contains("JUDGE {") && r.output().contains("CANDIDATE {"), r.output());
        assertFalse(r.output().contains(value), "the parent's secret reached the sandbox: " + r.output());
    }

    @Test
    void strongFailsClosedWhereBubblewrapIsMissing() {
        T2lException e = assertThrows(T2lException.class,
                () -> SandboxLauncher.detect(SandboxMode.STRONG, name -> name.equals("bwrap") ? null : "/usr/bin/" + name));
        assertTrue(e.getMessage().contains("bubblewrap") && e.getMessage().contains("apt-get install bubblewrap")
                && e.getMessage().contains("--sandbox weak"), e.getMessage());
    }

    @Test
    void weakModeSaysWhatItLacks() {
        String c = new PythonSandbox(SandboxLimits.DEFAULT, SandboxMode.WEAK).containment();
        assertTrue(c.startsWith("weak (no file-system isolation"), c);
        assertNotEquals(STRONG.containment(), c);
    }
}
