package ai.t2l.eval.sandbox;

import ai.t2l.io.T2lException;
import java.util.Locale;

/**
 * How strongly the code sandbox must contain model-written programs (docs/SANDBOX.md). {@link #STRONG}, the
 * default, refuses to run where it cannot be set up (fail closed); {@link #WEAK} is the explicit opt-out for
 * machines without bubblewrap or user namespaces, and the results record that it was used.
 */
public enum SandboxMode {
    /** bubblewrap namespaces (user, mount, PID, network, IPC, UTS), a read-only minimal root, an unprivileged uid, seccomp. */
    STRONG,
    /** no file-system isolation: process group, rlimits, seccomp, PID and network namespaces when root, an unprivileged uid when root. */
    WEAK;

    /** Parses a {@code --sandbox} value; the error names the flag and the accepted values. */
    public static SandboxMode parse(String s) {
        for (SandboxMode m : values()) {
            if (m.name().toLowerCase(Locale.ROOT).equals(s)) {
                return m;
            }
        }
        throw new T2lException("--sandbox: expected strong or weak, found \"" + s + "\"");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
