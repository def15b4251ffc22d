package ai.t2l.compute;

import ai.t2l.io.T2lException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Refuses to load a model that cannot fit, before anything is mapped or read (DESIGN.md §2: the code must not
 * assume a model fits). The machine's memory is /proc/meminfo's MemAvailable (free plus reclaimable page cache);
 * int8 weights live on the Java heap, so the heap limit counts too.
 */
public final class MemoryCheck {
    /** Bytes each precision needs, for the message and for the check. */
    public record Needs(long f32, long bf16, long int8, long small) {
        public long of(WeightPrecision p, boolean storedHalf) {
            return small + switch (p) {
                case F32 -> f32;
                case BF16 -> bf16;
                case INT8 -> int8;
                case AUTO -> storedHalf ? bf16 : f32;
            };
        }
    }

    /** What the machine offers: bytes of memory available and the Java heap's free room. */
    public record Available(long memory, long heap) {
        public static Available ofThisMachine() {
            Runtime rt = Runtime.getRuntime();
            long heap = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
            return new Available(memAvailable(), heap);
        }
    }

    private MemoryCheck() {}

    /**
     * Throws a {@link T2lException} naming the model's size in the chosen precision, the memory available and the
     * options that would fit, when it does not fit. {@code matrixParams}: weights of the big matrices.
     */
    public static void check(String model, long matrixParams, long smallBytes, WeightPrecision p, boolean storedHalf,
            Available avail) {
        Needs needs = new Needs(4 * matrixParams, 2 * matrixParams, matrixParams + matrixParams / Int8Matrix.BLOCK * 4,
                smallBytes);
        long need = needs.of(p, storedHalf);
        boolean heap = p == WeightPrecision.INT8;
        long room = heap ? Math.min(avail.heap(), avail.memory()) : avail.memory();
        if (room >= 0 && need > room) {
            StringBuilder options = new StringBuilder();
            if (p != WeightPrecision.BF16 && !(p == WeightPrecision.AUTO && storedHalf)
                    && needs.of(WeightPrecision.BF16, true) <= avail.memory()) {
                options.append(" --weights bf16 (").append(gb(needs.of(WeightPrecision.BF16, true))).append(");");
            }
            if (p != WeightPrecision.INT8) {
                options.append(" --weights int8 (").append(gb(needs.of(WeightPrecision.INT8, true)))
                        .append(" on the Java heap: raise -Xmx through T2L_JAVA_OPTS if needed);");
            }
            options.append(" a machine with more memory");
            throw new T2lException(model + ": the model needs " + gb(need) + " in " + describe(p, storedHalf)
                    + " (" + String.format("%.2f", matrixParams / 1e9) + " B parameters in its matrices) but only "
                    + gb(room) + " of " + (heap ? "Java heap/memory" : "memory") + " is available; options:"
                    + options);
        }
    }

    private static String describe(WeightPrecision p, boolean storedHalf) {
        return switch (p) {
            case F32 -> "float32";
            case BF16 -> "16-bit";
            case INT8 -> "int8";
            case AUTO -> storedHalf ? "its stored 16-bit precision" : "float32";
        };
    }

    static String gb(long bytes) {
        return bytes >= 1e9 ? String.format("%.1f GB", bytes / 1e9) : String.format("%.1f MB", bytes / 1e6);
    }

    /** MemAvailable from /proc/meminfo; Long.MAX_VALUE when it cannot be read (not Linux: no check). */
    public static long memAvailable() {
        return meminfo("MemAvailable:");
    }

    /** A /proc/meminfo field (e.g. "MemTotal:") in bytes; Long.MAX_VALUE when it cannot be read (not Linux). */
    public static long meminfo(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return Long.MAX_VALUE;
    }
}
