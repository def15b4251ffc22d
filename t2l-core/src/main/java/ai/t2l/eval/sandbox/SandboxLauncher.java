package ai.t2l.eval.sandbox;

import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * How the candidate (model-written) process is started on this machine, probed once per mode: which Python,
 * which containment, and a one-line description of it for the results. {@link SandboxMode#STRONG} needs
 * bubblewrap ({@code bwrap}) and, when the JVM runs as root, {@code setpriv} to hand the sandbox a dedicated
 * unprivileged uid first; where that cannot work it fails closed with what is missing and how to get it.
 */
final class SandboxLauncher {
    /** Each run's own uid when the JVM is root: RLIMIT_NPROC counts per uid, so one run's threads bound only it. */
    static final long FIRST_RUN_UID = 2_000_000_000L;
    static final int RUN_UIDS = 100_000_000;
    /** The candidate's private /tmp (a tmpfs, charged to memory, so bounded). */
    static final long TMP_BYTES = 64L << 20;
    private static final SecureRandom RANDOM = new SecureRandom();

    final SandboxMode mode;
    final String python;
    final boolean root;
    final boolean setsid;
    /** strong: the bwrap arguments after the namespaces; weak: the unshare prefix, or empty */
    private final List<String> containment;
    private final String bwrap;
    final boolean seccomp;
    final String description;

    private SandboxLauncher(SandboxMode mode, String python, boolean root, boolean setsid, String bwrap,
                            List<String> containment, boolean seccomp, String description) {
        this.mode = mode;
        this.python = python;
        this.root = root;
        this.setsid = setsid;
        this.bwrap = bwrap;
        this.containment = containment;
        this.seccomp = seccomp;
        this.description = description;
    }

    /** A uid no account uses, fresh for each run (only meaningful as root). */
    static long runUid() {
        return FIRST_RUN_UID + RANDOM.nextInt(RUN_UIDS);
    }

    /** The command line that starts the candidate: containment, then the interpreter (arguments appended by the caller). */
    List<String> candidatePrefix(long uid) {
        List<String> cmd = new ArrayList<>();
        if (mode == SandboxMode.WEAK) {
            cmd.addAll(containment); // unshare first: it needs root's capabilities
        }
        if (root) {
            cmd.addAll(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--no-new-privs"));
        }
        if (mode == SandboxMode.STRONG) {
            cmd.add(bwrap);
            cmd.addAll(containment);
        }
        cmd.addAll(List.of(python, "-I", "-S", "-B"));
        return cmd;
    }

    static SandboxLauncher detect(SandboxMode mode) {
        return detect(mode, SandboxLauncher::which);
    }

    /** {@code which} finds a program by name (null when absent): tests pretend a tool is missing. */
    static SandboxLauncher detect(SandboxMode mode, UnaryOperator<String> which) {
        String python = findPython();
        boolean root = isRoot();
        if (root && which.apply("setpriv") == null) {
            throw new T2lException("code sandbox: the JVM runs as root and setpriv (util-linux) was not found to run model-written "
                    + "code as an unprivileged user; install util-linux, run as an ordinary user, or pass --sandbox weak");
        }
        boolean setsid = "ok".equals(probe(List.of("setsid", python, "-c", "print('ok')")).ok());
        if (mode == SandboxMode.STRONG) {
            return detectStrong(python, root, setsid, which.apply("bwrap"));
        }
        List<String> unshare = List.of("unshare", "--net", "--pid", "--fork", "--kill-child");
        List<String> test = new ArrayList<>(unshare);
        test.addAll(List.of(python, "-c", "print('ok')"));
        boolean namespaces = "ok".equals(probe(test).ok());
        SandboxLauncher draft = new SandboxLauncher(mode, python, root, setsid, null, namespaces ? unshare : List.of(), false, "");
        String seccomp = probeSeccomp(draft);
        String desc = "weak (no file-system isolation: the program can read and write what uid "
                + (root ? "2000000000+ (one per run)" : "of the invoking user") + " can): "
                + (namespaces ? "PID and network namespaces" : "no namespaces") + "; " + uidText(root) + "; "
                + seccompText(seccomp) + "; rlimits (CPU, memory, file size, processes); tests judged in a separate process";
        return new SandboxLauncher(mode, python, root, setsid, null, draft.containment, seccomp == null, desc);
    }

    private static SandboxLauncher detectStrong(String python, boolean root, boolean setsid, String bwrap) {
        if (bwrap == null) {
            throw new T2lException("code sandbox: bubblewrap (bwrap) was not found on the PATH; HumanEval and MBPP run model-written "
                    + "code and the strong sandbox needs it: install it (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install "
                    + "bubblewrap), or pass --sandbox weak to run with weaker containment (recorded in the results)");
        }
        String help = probe(List.of(bwrap, "--help")).out;
        List<String> args = bwrapArguments(python, help == null ? "" : help);
        SandboxLauncher draft = new SandboxLauncher(SandboxMode.STRONG, python, root, setsid, bwrap, args, false, "");
        Probe p = probe(draft.probeCommand());
        String out = p.ok();
        if (out == null || !out.startsWith("seccomp=")) {
            throw new T2lException("code sandbox: bubblewrap (" + bwrap + ") could not start a contained " + python + ": "
                    + (p.out == null ? "no output" : p.out.strip()) + ". It needs unprivileged user namespaces "
                    + "(sysctl kernel.unprivileged_userns_clone=1 on Debian, user.max_user_namespaces > 0; on Ubuntu 24.04 an "
                    + "AppArmor profile for bwrap) and an interpreter readable by every user (e.g. /usr/bin/python3); "
                    + "or pass --sandbox weak to run with weaker containment (recorded in the results)");
        }
        String seccomp = out.equals("seccomp=on") ? null : out.substring("seccomp=".length());
        String desc = "strong: bubblewrap " + version(bwrap) + " (new user, mount, PID, network, IPC and UTS namespaces; "
                + "read-only /usr, private " + (TMP_BYTES >> 20) + " MiB /tmp, no other host files); " + uidText(root) + "; "
                + seccompText(seccomp) + "; rlimits (CPU, memory, file size, processes); tests judged in a separate process";
        return new SandboxLauncher(SandboxMode.STRONG, python, root, setsid, bwrap, args, seccomp == null, desc);
    }

    /**
     * A minimal root: /usr read-only (plus the interpreter's prefix when it lives elsewhere), the merged-/usr
     * links, the dynamic linker's cache, fresh /proc and /dev, a size-limited private /tmp, all read-only
     * but /tmp. No home, no /work, no project, no /etc/passwd.
     */
    private static List<String> bwrapArguments(String python, String help) {
        List<String> a = new ArrayList<>(List.of("--unshare-user", "--unshare-ipc", "--unshare-pid", "--unshare-net",
                "--unshare-uts", "--unshare-cgroup-try", "--die-with-parent", "--new-session"));
        if (help.contains("--disable-userns")) {
            a.add("--disable-userns"); // bubblewrap 0.8+; seccomp refuses unshare and setns anyway
        }
        a.addAll(List.of("--ro-bind", "/usr", "/usr"));
        for (String top : List.of("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")) {
            Path p = Path.of(top);
            if (Files.isSymbolicLink(p)) {
                try {
                    a.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), top));
                } catch (IOException e) {
                    // unreadable link: leave it out
                }
            } else if (Files.isDirectory(p)) {
                a.addAll(List.of("--ro-bind", top, top));
            }
        }
        if (Files.exists(Path.of("/etc/ld.so.cache"))) {
            a.addAll(List.of("--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache"));
        }
        String prefix = pythonPrefix(python);
        if (prefix != null && !prefix.equals("/usr") && !prefix.startsWith("/usr/")) {
            a.addAll(List.of("--ro-bind", prefix, prefix));
        }
        a.addAll(List.of("--proc", "/proc", "--dev", "/dev"));
        if (help.contains("--size")) {
            a.addAll(List.of("--size", Long.toString(TMP_BYTES))); // bubblewrap 0.7+; older ones give an unbounded tmpfs
        }
        a.addAll(List.of("--tmpfs", "/tmp",
                "--remount-ro", "/", "--chdir", "/tmp", "--clearenv", "--setenv", "PATH", "/usr/bin:/bin",
                "--setenv", "HOME", "/tmp", "--setenv", "TMPDIR", "/tmp", "--setenv", "LANG", "C.UTF-8",
                "--setenv", "PYTHONHASHSEED", "0", "--setenv", "PYTHONIOENCODING", "utf-8", "--"));
        return List.copyOf(a);
    }

    private List<String> probeCommand() {
        List<String> cmd = new ArrayList<>(candidatePrefix(runUid()));
        Map<String, Object> job = new LinkedHashMap<>(candidateJob(SandboxLimits.DEFAULT, false));
        job.put("probe", true);
        cmd.addAll(List.of("-c", Bootstrap.CANDIDATE, "1", Json.write(job)));
        return cmd;
    }

    /** The candidate's own settings (argv[2] of candidate.py). */
    static Map<String, Object> candidateJob(SandboxLimits limits, boolean seccompRequired) {
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("memory_bytes", limits.memoryBytes());
        job.put("cpu_seconds", cpuSeconds(limits));
        job.put("file_bytes", limits.fileBytes());
        job.put("max_processes", limits.maxProcesses());
        job.put("seccomp_required", seccompRequired);
        return job;
    }

    static int cpuSeconds(SandboxLimits limits) {
        return Math.max(1, (int) Math.ceil(limits.cpuTime().toMillis() / 1000.0));
    }

    private static String probeSeccomp(SandboxLauncher draft) {
        Probe p = probe(draft.probeCommand());
        String out = p.ok();
        if (out == null || !out.startsWith("seccomp=")) {
            return "the probe failed: " + (p.out == null ? "it did not start" : p.out.strip());
        }
        return out.equals("seccomp=on") ? null : out.substring("seccomp=".length());
    }

    private static String uidText(boolean root) {
        return root ? "uid 2000000000+ (one per run, not root)" : "the invoking user's uid";
    }

    private static String seccompText(String whyNot) {
        return whyNot == null ? "seccomp (no fork, exec, ptrace, sockets, mounts, namespaces)" : "no seccomp (" + whyNot + ")";
    }

    /** Debian's interpreter first: a pyenv shim needs the user's environment and lives in their home. */
    private static String findPython() {
        for (String c : List.of("/usr/bin/python3", "/usr/local/bin/python3")) {
            Path p = Path.of(c);
            if (Files.isExecutable(p)) {
                return realPath(p);
            }
        }
        String out = probe(List.of("python3", "-c", "import sys; print(sys.executable)")).ok();
        if (out == null || out.isBlank()) {
            throw new T2lException("code sandbox: python3 was not found (/usr/bin/python3 or on the PATH); HumanEval and MBPP need it "
                    + "(Debian/Ubuntu: apt-get install python3)");
        }
        return realPath(Path.of(out));
    }

    private static String pythonPrefix(String python) {
        return probe(List.of(python, "-I", "-S", "-c", "import sys; print(sys.base_prefix)")).ok();
    }

    private static String realPath(Path p) {
        try {
            return p.toRealPath().toString();
        } catch (IOException e) {
            return p.toString();
        }
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0"); // real, effective, saved, fs: effective decides
                }
            }
        } catch (IOException | RuntimeException e) {
            // no procfs: fall back to the name
        }
        return "root".equals(System.getProperty("user.name"));
    }

    private static String which(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/bin:/bin:/usr/sbin:/sbin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        return null;
    }

    private static String version(String bwrap) {
        String v = probe(List.of(bwrap, "--version")).ok();
        return v == null ? "" : v.replace("bubblewrap ", "");
    }

    /** What a probe printed (stdout and stderr) and its exit status; -1 when it could not start or hung. */
    record Probe(String out, int exit) {
        /** The output when the probe succeeded, else null. */
        String ok() {
            return exit == 0 && out != null ? out.strip() : null;
        }
    }

    private static Probe probe(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Probe(null, -1);
            }
            return new Probe(out, p.exitValue());
        } catch (IOException e) {
            return new Probe(null, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Probe(null, -1);
        }
    }
}
