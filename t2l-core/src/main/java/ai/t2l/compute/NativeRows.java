package ai.t2l.compute;

import java.util.function.Supplier;

/**
 * Whether bf16 weights' few-row products run in the native library ({@link Bf16Rows}) where it is loaded
 * ({@link Bf16Dot#available}): on by default, {@code -Dt2l.compute.nativeRows=false} keeps the Java kernels
 * (comparisons, BENCHMARKS.md). The native form computes what the Java kernels compute, in a stated order of sums.
 */
public final class NativeRows {
    private static volatile boolean enabled = !"false".equals(System.getProperty("t2l.compute.nativeRows"));

    private NativeRows() {}

    /** Whether the native products run here and are wanted. */
    static boolean available() {
        return enabled && Bf16Dot.available();
    }

    /** Runs {@code body} with the native products on or off, then restores the setting: tests compare the paths. */
    public static <T> T with(boolean on, Supplier<T> body) {
        boolean saved = enabled;
        enabled = on;
        try {
            return body.get();
        } finally {
            enabled = saved;
        }
    }
}
