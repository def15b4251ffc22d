package ai.t2l.compute;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;

/**
 * Releases a mapping now instead of at some later garbage collection, through {@code sun.misc.Unsafe.invokeCleaner}
 * (jdk.unsupported, public since Java 9). Used where a mapping is read once (quantizing a bf16 matrix at load,
 * reading a quantized folder): its pages would otherwise stay in the process's RSS until a collection, so an int8
 * load of Mistral-7B would count the 14.5 GB file on top of its 8 GB of int8 weights. Without Unsafe nothing happens.
 */
public final class Unmap {
    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
        Object u = null;
        Method m = null;
        try {
            Class<?> c = Class.forName("sun.misc.Unsafe");
            Field f = c.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            u = f.get(null);
            m = c.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            u = null;
            m = null;
        }
        UNSAFE = u;
        INVOKE_CLEANER = m;
    }

    private Unmap() {}

    /** Unmaps a direct buffer that nothing else uses (never a slice or duplicate: the cleaner is the parent's). */
    public static void now(ByteBuffer b) {
        if (INVOKE_CLEANER == null || b == null || !b.isDirect()) {
            return;
        }
        try {
            INVOKE_CLEANER.invoke(UNSAFE, b);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // a slice or an already-freed buffer: the garbage collector will do it
        }
    }
}
