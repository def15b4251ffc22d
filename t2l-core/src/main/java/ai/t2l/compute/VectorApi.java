package ai.t2l.compute;

import java.util.function.Consumer;

/**
 * Loads a kernel written against the Java Vector API (an incubator module on Java 17), or says it cannot: the one
 * place that decides whether this JVM runs the vector kernels ({@link Kernels}, {@link HeadKernel},
 * {@link F32Kernel}); each falls back to its plain-Java kernel when this returns null.
 */
final class VectorApi {
    private VectorApi() {}

    /**
     * The implementation {@code className} of {@code type}, after {@code selfTest} ran on it; null when
     * {@code -Dt2l.compute.scalar=true}, when the JVM runs without {@code --add-modules jdk.incubator.vector}, or when
     * loading or the self-test fails (e.g. Java 19+, whose incubator Vector API has no ByteBuffer loads: a
     * NoSuchMethodError at the first product otherwise; or a CPU whose vectors a kernel refuses).
     */
    static <T> T load(Class<T> type, String className, Consumer<T> selfTest) {
        if (Boolean.getBoolean("t2l.compute.scalar")
                || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return null;
        }
        try {
            T k = type.cast(Class.forName(className).getDeclaredConstructor().newInstance());
            selfTest.accept(k);
            return k;
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return null;
        }
    }
}
