package ai.t2l.eval.sandbox;

import java.time.Duration;

/**
 * Limits for one sandboxed program. Time is limited as CPU time (RLIMIT_CPU), which does not depend on how
 * busy the machine is, with a wall-time backstop for programs that sleep or block. Defaults: 20 s CPU
 * (evalplus allows 4 x the reference solution's time; MBPP 11-510's slowest reference, task 123, needs about
 * 9 s here), 60 s wall, 1 GiB address space, 1 MiB of captured output (killed beyond it), 16 MiB per written
 * file, 64 processes.
 */
public record SandboxLimits(Duration cpuTime, Duration wallTime, long memoryBytes, int outputBytes, long fileBytes,
                            int maxProcesses) {
    public static final SandboxLimits DEFAULT =
            new SandboxLimits(Duration.ofSeconds(20), Duration.ofSeconds(60), 1L << 30, 1 << 20, 16L << 20, 64);

    public SandboxLimits withTime(Duration cpu, Duration wall) {
        return new SandboxLimits(cpu, wall, memoryBytes, outputBytes, fileBytes, maxProcesses);
    }

    public SandboxLimits withMemoryBytes(long m) {
        return new SandboxLimits(cpuTime, wallTime, m, outputBytes, fileBytes, maxProcesses);
    }
}
