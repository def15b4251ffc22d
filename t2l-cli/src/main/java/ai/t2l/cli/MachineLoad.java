package ai.t2l.cli;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a benchmark prints about the machine beside its times: the load average, and the process's CPU time (all
 * threads, the engine's included). On a shared machine wall time stretches with the other processes while CPU time
 * per call mostly does not, so the two together tell a slow minute from slow code.
 */
final class MachineLoad {
    private MachineLoad() {}

    /** "1.23 0.98 0.75" from /proc/loadavg, or "unknown". */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "unknown";
        }
    }

    /** CPU nanoseconds used by this process so far, or -1 where the JVM cannot tell. */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }
}
