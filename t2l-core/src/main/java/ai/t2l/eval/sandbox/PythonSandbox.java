package ai.t2l.eval.sandbox;

import ai.t2l.io.AtomicFiles;
import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs untrusted Python (model-written solutions) against trusted tests (the benchmark's), in two processes
 * (docs/SANDBOX.md). The judge ({@code judge.py}, as the JVM's user, in a fresh temporary directory, its own
 * process group) runs the test code; the candidate ({@code candidate.py}) runs the solution inside the
 * containment {@link SandboxLauncher} chose and only answers calls, with arguments and results crossing as
 * plain data. The verdict is the judge's last stdout line, which the candidate cannot reach. {@link SandboxMode#STRONG}
 * (the default) fails closed with a clear message where bubblewrap cannot run; {@link #containment()} says
 * what was in force, for the results. Thread-safe: every call is independent.
 */
public final class PythonSandbox {
    /** Probed once per mode and JVM; a failed probe is not remembered, so fixing the machine needs no restart. */
    private static final Map<SandboxMode, SandboxLauncher> LAUNCHERS = new ConcurrentHashMap<>();

    private final SandboxLimits limits;
    private final SandboxMode mode;
    private final String judgeSource;
    /** Added to the JVM's environment that the judge's ProcessBuilder starts from (tests plant secrets here). */
    private final Map<String, String> parentEnvironment;
    /** Where the per-run temporary folders go; null = java.io.tmpdir. */
    private final Path temporaryRoot;

    public PythonSandbox() {
        this(SandboxLimits.DEFAULT);
    }

    public PythonSandbox(SandboxLimits limits) {
        this(limits, SandboxMode.STRONG);
    }

    public PythonSandbox(SandboxLimits limits, SandboxMode mode) {
        this(limits, mode, Bootstrap.JUDGE);
    }

    /** With another judge program: tests feed {@link VerdictReader} what a broken judge would print. */
    PythonSandbox(SandboxLimits limits, SandboxMode mode, String judgeSource) {
        this(limits, mode, judgeSource, Map.of(), null);
    }

    private PythonSandbox(SandboxLimits limits, SandboxMode mode, String judgeSource, Map<String, String> parentEnvironment,
                          Path temporaryRoot) {
        this.limits = limits;
        this.mode = mode;
        this.judgeSource = judgeSource;
        this.parentEnvironment = Map.copyOf(parentEnvironment);
        this.temporaryRoot = temporaryRoot;
    }

    /** The same sandbox started from a parent environment that also holds {@code vars} (as a user's shell might). */
    PythonSandbox withParentEnvironment(Map<String, String> vars) {
        return new PythonSandbox(limits, mode, judgeSource, vars, temporaryRoot);
    }

    /** The same sandbox with its per-run folders under {@code root} (tests check that nothing is left there). */
    PythonSandbox withTemporaryRoot(Path root) {
        return new PythonSandbox(limits, mode, judgeSource, parentEnvironment, root);
    }

    public SandboxLimits limits() {
        return limits;
    }

    public SandboxMode mode() {
        return mode;
    }

    /**
     * One line saying which containment runs the programs, for results files and reports. Probes the machine
     * on first use; in strong mode throws a {@link T2lException} naming what is missing and how to get it.
     */
    public String containment() {
        return launcher().description;
    }

    /** Runs {@code code}, then {@code test} against it; with {@code sanitize}, {@code code} is sanitised first (MBPP). */
    public SandboxResult run(String code, String test, boolean sanitize) {
        SandboxLauncher l = launcher();
        Path dir = null;
        long t0 = System.nanoTime();
        try {
            dir = temporaryRoot == null ? Files.createTempDirectory("t2l-sandbox-")
                    : Files.createTempDirectory(temporaryRoot, "t2l-sandbox-");
            long uid = l.root ? SandboxLauncher.runUid() : -1;
            Path work = candidateDirectory(l, dir, uid);
            List<String> argv = new ArrayList<>(l.candidatePrefix(uid));
            argv.addAll(List.of("-c", Bootstrap.CANDIDATE, "@RESP_FD@", Json.write(SandboxLauncher.candidateJob(limits, l.seccomp))));
            Map<String, Object> job = new LinkedHashMap<>();
            job.put("code", code);
            job.put("test", test);
            job.put("sanitize", sanitize);
            job.put("cpu_seconds", SandboxLauncher.cpuSeconds(limits));
            job.put("output_bytes", limits.outputBytes());
            job.put("memory_bytes", limits.memoryBytes());
            job.put("candidate_home", work == null ? "/tmp" : work.toString());
            job.put("candidate_cwd", work == null ? "/" : work.toString());
            job.put("candidate_argv", argv);
            Files.writeString(dir.resolve("job.json"), Json.write(job));
            Files.writeString(dir.resolve("judge.py"), judgeSource);
            return execute(l, dir, t0);
        } catch (IOException e) {
            throw new T2lException("code sandbox: cannot prepare a temporary directory: " + e.getMessage(), e);
        } finally {
            if (dir != null) {
                AtomicFiles.deleteRecursively(dir);
            }
        }
    }

    /**
     * Strong mode: none (the candidate sees only bubblewrap's tmpfs). Weak mode: a folder of its own, owned
     * by the run's uid when root (the temporary directory itself is only traversable for it).
     */
    private static Path candidateDirectory(SandboxLauncher l, Path dir, long uid) throws IOException {
        if (l.mode == SandboxMode.STRONG) {
            return null;
        }
        Path work = Files.createDirectory(dir.resolve("work"));
        if (uid >= 0) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
            var users = dir.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(work, users.lookupPrincipalByName(Long.toString(uid)));
            Files.getFileAttributeView(work, PosixFileAttributeView.class).setGroup(users.lookupPrincipalByGroupName(Long.toString(uid)));
        }
        return work;
    }

    private SandboxResult execute(SandboxLauncher l, Path dir, long t0) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (l.setsid) {
            cmd.add("setsid");
        }
        cmd.addAll(List.of(l.python, "-I", "-S", "-B", dir.resolve("judge.py").toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.putAll(parentEnvironment);
        env.clear(); // nothing of the JVM's environment (tokens, keys) reaches either process
        env.put("PATH", "/usr/bin:/bin");
        env.put("HOME", dir.toString());
        env.put("LANG", "C.UTF-8");
        env.put("PYTHONHASHSEED", "0"); // set iteration order, hence outputs, identical run after run
        env.put("PYTHONIOENCODING", "utf-8");
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AtomicBoolean overflow = new AtomicBoolean();
        Thread reader = new Thread(() -> drain(p, out, overflow), "sandbox-output-" + p.pid());
        reader.setDaemon(true);
        reader.start();
        boolean finished;
        try {
            finished = p.waitFor(limits.wallTime().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finished = false;
        } finally {
            killTree(p);
        }
        try {
            // every writer is dead now, so the pipe reaches EOF; on a busy machine draining can take a while
            reader.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (reader.isAlive()) {
            reader.interrupt();
            return new SandboxResult(SandboxResult.Status.FAILED, -1, "(the output pipe did not close)", ms);
        }
        byte[] bytes;
        synchronized (out) {
            bytes = out.toByteArray();
        }
        return VerdictReader.read(bytes, finished, finished ? p.exitValue() : -1, overflow.get(), ms);
    }

    /** The judge's stdout cap: the candidate's output and the test's, each capped by the judge, plus room for JSON escapes. */
    private int judgeOutputCap() {
        return (int) Math.min(Integer.MAX_VALUE - 16, 8L * limits.outputBytes() + (1 << 20));
    }

    /** Copies output up to the cap; beyond it, flags the overflow and kills the process tree at once. */
    private void drain(Process p, ByteArrayOutputStream out, AtomicBoolean overflow) {
        byte[] buf = new byte[8192];
        try (InputStream in = p.getInputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (out) {
                    int room = judgeOutputCap() - out.size();
                    out.write(buf, 0, Math.max(0, Math.min(room, n)));
                    if (n > room) {
                        overflow.set(true);
                        killTree(p);
                        return;
                    }
                }
            }
        } catch (IOException ignored) {
            // the stream closes when the process group is killed
        }
    }

    /**
     * Kills the judge's process group (made by setsid: pgid = pid), which holds the candidate's launcher too;
     * bubblewrap's --die-with-parent and the weak candidate's parent-death signal take the rest.
     * {@code Process.destroy} also closes the output pipe, losing what the reader has not drained yet, so it
     * is used only on a process still running.
     */
    private static void killTree(Process p) {
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

    private SandboxLauncher launcher() {
        return LAUNCHERS.computeIfAbsent(mode, SandboxLauncher::detect);
    }
}
