package ai.t2l.hypernet;

import java.util.EnumMap;
import java.util.Map;

/**
 * Wall time per phase of {@link HyperModulator#generate(java.util.List, GenerationPhases)} calls, summed over calls,
 * for `t2l bench generate`'s profile table (issue 16 item 1: where each variant's time goes). Reading the clock a
 * dozen times per call costs nothing measurable next to a 20–100 ms call; generation without a recorder reads none.
 * Not thread-safe: one recorder per calling thread.
 */
public final class GenerationPhases {
    /** The phases, in the order a call runs them. */
    public enum Phase {
        /** task encoder (engine): Linear + LayerNorm on the description embeddings */
        ENCODE("task encoder (engine)"),
        /** embeddings, mixer, mlp1, mlp2, mlp3 up to the head input (Java arrays: JavaTrunk; or the engine) */
        TRUNK("trunk to head input"),
        /** packing the trunk and head weights for Java: the first call only, or every call while training */
        PACK("packing weights"),
        /** the head products on the Java kernel, outputs placed into the adapters' arrays (or on the engine) */
        HEADS("head products + placing outputs"),
        /** allocating the adapters' arrays, offsets / raw-scale conversion, building the adapter maps */
        READOUT("readout: arrays, offsets"),
        /** the non-finite check of the generated adapters */
        CHECK("non-finite check");

        private final String label;

        Phase(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private static final java.lang.management.OperatingSystemMXBean OS =
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    private final Map<Phase, Long> nanos = new EnumMap<>(Phase.class);
    private final Map<Phase, Long> cpuNanos = new EnumMap<>(Phase.class);
    private long started;
    private long startedCpu;
    private Phase current;

    /** Ends the running phase (if any) and starts {@code p}. */
    void enter(Phase p) {
        long now = System.nanoTime();
        long cpu = processCpuNanos();
        stop(now, cpu);
        current = p;
        started = now;
        startedCpu = cpu;
    }

    /** Ends the running phase. */
    void stop() {
        stop(System.nanoTime(), processCpuNanos());
    }

    private void stop(long now, long cpu) {
        if (current != null) {
            nanos.merge(current, now - started, Long::sum);
            cpuNanos.merge(current, cpu - startedCpu, Long::sum);
            current = null;
        }
    }

    /** Total wall milliseconds spent in {@code p} so far. */
    public double millis(Phase p) {
        return nanos.getOrDefault(p, 0L) / 1e6;
    }

    /**
     * Total process CPU milliseconds (all threads: the engine's and the kernel's) during {@code p} so far; on a
     * shared machine this stretches far less with the load than wall time. Negative where the JVM cannot tell.
     */
    public double cpuMillis(Phase p) {
        return cpuNanos.getOrDefault(p, 0L) / 1e6;
    }

    public void reset() {
        nanos.clear();
        cpuNanos.clear();
        current = null;
    }

    private static long processCpuNanos() {
        return OS instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }

    /** Null-safe helpers, so that the generation code reads the same with or without a recorder. */
    static void enter(GenerationPhases g, Phase p) {
        if (g != null) {
            g.enter(p);
        }
    }

    static void stop(GenerationPhases g) {
        if (g != null) {
            g.stop();
        }
    }
}
