package ai.t2l.cli;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

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

    /** The library the launcher preloads on AMD CPUs (t2l-cli/src/main/native/mkl-vendor-dispatch.c). */
    static final String MKL_DISPATCH_LIBRARY = "libt2l-mkl-vendor-dispatch.so";

    /**
     * Which kernels the engine's MKL (libtorch's BLAS) picks in this process: by instruction set where the launcher
     * preloaded its vendor-dispatch library, else MKL's own choice, which is a generic path on a CPU that is not an
     * Intel one (up to 1.4× slower products, BENCHMARKS.md, twenty-ninth session).
     */
    static String mklDispatch() {
        String preload = System.getenv("LD_PRELOAD");
        if (preload != null && preload.contains(MKL_DISPATCH_LIBRARY)) {
            return "MKL picks kernels by instruction set (" + MKL_DISPATCH_LIBRARY + " preloaded)";
        }
        return cpuinfo("vendor_id", "unknown").equals("AuthenticAMD")
                ? "MKL's generic kernels (an AMD CPU without the launcher's " + MKL_DISPATCH_LIBRARY + ")"
                : "MKL's own dispatch";
    }

    /**
     * The value of the first /proc/cpuinfo line that starts with {@code field} ("model name", "vendor_id"), or
     * {@code absent} where there is none (not Linux: the CPU's name and vendor are a courtesy).
     */
    static String cpuinfo(String field, String absent) {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith(field)).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(absent);
        } catch (Exception e) {
            return absent;
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
