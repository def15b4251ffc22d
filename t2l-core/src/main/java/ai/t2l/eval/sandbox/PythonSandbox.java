package ai.t2l.eval.sandbox;

import ai.t2l.io.AtomicFiles;
import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs untrusted Python (model-written solutions plus their tests) in a separate {@code python3} process:
 * a fresh temporary directory as cwd (always deleted), a minimal environment, its own process group
 * ({@code setsid}) killed as a whole when it ends or times out, and, where {@code unshare} works (root),
 * new network and PID namespaces so no network exists and no process outlives it. Inside, the bootstrap
 * (resource {@code bootstrap.py}) sets rlimits (address space, CPU, file size, processes) and disables
 * fork/exec/kill/file removal before running the program. Output is captured up to a cap; beyond it the
 * process is killed. Thread-safe: every call is independent.
 */
public final class PythonSandbox {
    private static final String MARK = "T2L-SANDBOX-OK ";
    /** The bootstrap's exit status when RLIMIT_CPU's soft limit fires (SIGXCPU handler). */
    private static final int CPU_LIMIT_EXIT = 124;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static volatile Launcher launcher;

    private final SandboxLimits limits;
    private final boolean allowNamespaces;

    public PythonSandbox(SandboxLimits limits) {
        this(limits, true);
    }

    /** {@code allowNamespaces = false} runs as on a machine without unshare (non-root CI), for tests. */
    public PythonSandbox(SandboxLimits limits, boolean allowNamespaces) {
        this.limits = limits;
        this.allowNamespaces = allowNamespaces;
    }

    public PythonSandbox() {
        this(SandboxLimits.DEFAULT);
    }

    public SandboxLimits limits() {
        return limits;
    }

    /** Runs {@code code} then {@code test}; with {@code sanitize}, {@code code} is sanitised first (MBPP). */
    public SandboxResult run(String code, String test, boolean sanitize) {
        Launcher l = launcher();
        if (!allowNamespaces) {
            l = l.withoutNamespaces();
        }
        Path dir = null;
        long t0 = System.nanoTime();
        try {
            dir = Files.createTempDirectory("t2l-sandbox-");
            String nonce = HexFormat.of().formatHex(randomBytes());
            Map<String, Object> job = new LinkedHashMap<>();
            job.put("nonce", nonce);
            job.put("code", code);
            job.put("test", test);
            job.put("sanitize", sanitize);
            job.put("memory_bytes", limits.memoryBytes());
            job.put("cpu_seconds", Math.max(1, (int) Math.ceil(limits.cpuTime().toMillis() / 1000.0)));
            job.put("file_bytes", limits.fileBytes());
            job.put("max_processes", limits.maxProcesses());
            Files.writeString(dir.resolve("job.json"), Json.write(job));
            Files.writeString(dir.resolve("bootstrap.py"), Bootstrap.SOURCE);
            return execute(l, dir, nonce, t0);
        } catch (IOException e) {
            throw new T2lException("code sandbox: cannot prepare a temporary directory: " + e.getMessage(), e);
        } finally {
            if (dir != null) {
                AtomicFiles.deleteRecursively(dir);
            }
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return b;
    }

    private SandboxResult execute(Launcher l, Path dir, String nonce, long t0) throws IOException {
        List<String> cmd = new ArrayList<>(l.prefix);
        cmd.addAll(List.of(l.python, "-s", "-S", "-B", dir.resolve("bootstrap.py").toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", "/usr/bin:/bin");
        env.put("HOME", dir.toString());
        env.put("TMPDIR", dir.toString());
        env.put("LANG", "C.UTF-8");
        env.put("PYTHONHASHSEED", "0"); // set iteration order, hence outputs, identical run after run
        env.put("PYTHONIOENCODING", "utf-8");
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AtomicBoolean overflow = new AtomicBoolean();
        Thread reader = new Thread(() -> drain(p, l, out, overflow), "sandbox-output-" + p.pid());
        reader.setDaemon(true);
        reader.start();
        boolean finished;
        try {
            finished = p.waitFor(limits.wallTime().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finished = false;
        } finally {
            killTree(p, l);
        }
        try {
            // every writer is dead now, so the pipe reaches EOF; on a busy machine draining can take a while
            reader.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (reader.isAlive()) {
            reader.interrupt();
            return new SandboxResult(SandboxResult.Status.FAILED, -1, "(the output pipe did not close)", (System.nanoTime() - t0) / 1_000_000);
        }
        String text;
        synchronized (out) {
            text = out.toString(StandardCharsets.UTF_8);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (overflow.get()) {
            return new SandboxResult(SandboxResult.Status.OUTPUT_LIMIT, -1, text, ms);
        }
        if (!finished) {
            return new SandboxResult(SandboxResult.Status.TIMEOUT, -1, text, ms);
        }
        int code = p.exitValue();
        if (code == CPU_LIMIT_EXIT) {
            return new SandboxResult(SandboxResult.Status.TIMEOUT, code, text + "\n(CPU time limit)", ms);
        }
        boolean ok = code == 0 && text.endsWith(MARK + nonce + "\n");
        if (ok) {
            text = text.substring(0, text.length() - (MARK.length() + nonce.length() + 2));
        }
        return new SandboxResult(ok ? SandboxResult.Status.PASSED : SandboxResult.Status.FAILED, code, text, ms);
    }

    /** Copies output up to the cap; beyond it, flags the overflow and kills the process tree at once. */
    private void drain(Process p, Launcher l, ByteArrayOutputStream out, AtomicBoolean overflow) {
        byte[] buf = new byte[8192];
        try (InputStream in = p.getInputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (out) {
                    int room = limits.outputBytes() - out.size();
                    out.write(buf, 0, Math.max(0, Math.min(room, n)));
                    if (n > room) {
                        overflow.set(true);
                        killTree(p, l);
                        return;
                    }
                }
            }
        } catch (IOException ignored) {
            // the stream closes when the process group is killed
        }
    }

    /**
     * With a PID namespace, killing unshare kills its child (--kill-child) and so the whole namespace; once
     * unshare has exited, nothing is left. Else kill the process group made by setsid (pgid = pid), which
     * also reaches orphaned children. {@code Process.destroy} also closes the output pipe, losing what the
     * reader has not drained yet, so it is used only on a process still running.
     */
    private static void killTree(Process p, Launcher l) {
        if (l.namespaces) {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
            return;
        }
        long pid = p.pid();
        try {
            Process k = new ProcessBuilder("kill", "-KILL", "--", "-" + pid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            k.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            // fall back to what Java can see
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        if (p.isAlive()) {
            p.destroyForcibly();
        }
    }

    private static Launcher launcher() {
        Launcher l = launcher;
        if (l == null) {
            synchronized (PythonSandbox.class) {
                if (launcher == null) {
                    launcher = Launcher.detect();
                }
                l = launcher;
            }
        }
        return l;
    }

    /** How programs start on this machine, probed once. */
    static final class Launcher {
        final String python;
        final List<String> prefix;
        final boolean namespaces;
        final boolean setsid;

        private Launcher(String python, boolean setsid, boolean namespaces) {
            this.python = python;
            this.setsid = setsid;
            this.namespaces = namespaces;
            List<String> p = new ArrayList<>();
            if (setsid) {
                p.add("setsid");
            }
            if (namespaces) {
                p.addAll(NAMESPACES);
            }
            this.prefix = List.copyOf(p);
        }

        Launcher withoutNamespaces() {
            return namespaces ? new Launcher(python, setsid, false) : this;
        }

        private static final List<String> NAMESPACES = List.of("unshare", "--net", "--pid", "--fork", "--kill-child");

        static Launcher detect() {
            // resolve the real interpreter once: shims (pyenv) need an environment the sandbox does not give
            String python = probe(List.of("python3", "-c", "import sys; print(sys.executable)"));
            if (python == null || python.isBlank()) {
                throw new T2lException("code sandbox: python3 was not found on the PATH (HumanEval and MBPP need it)");
            }
            python = python.strip();
            List<String> test = new ArrayList<>(NAMESPACES);
            test.addAll(List.of(python, "-c", "print('ok')"));
            boolean namespaces = "ok".equals(strip(probe(test)));
            // setsid gives the program its own process group, so the whole tree can be killed at once
            boolean setsid = "ok".equals(strip(probe(List.of("setsid", python, "-c", "print('ok')"))));
            return new Launcher(python, setsid, namespaces);
        }

        private static String strip(String s) {
            return s == null ? null : s.strip();
        }

        private static String probe(List<String> cmd) {
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
            } catch (IOException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    /** Whether this machine isolates programs with network and PID namespaces (see docs/EVALUATION.md). */
    public static boolean usesNamespaces() {
        return launcher().namespaces;
    }
}
