package ai.t2l.compute;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Whether autograd may record on the current thread, for products that can leave the engine only when it does not
 * ({@link F32Matrix}). The test is PyTorch's thread-local grad mode: DJL's GradientCollector switches it on, the
 * thread that starts the engine has it off, and every other thread starts with it on (PyTorch's default), so a
 * thread that only infers says so with {@link #offOnThisThread()}.
 *
 * <p>Why not the arrays' own flags: DJL's {@code hasGradient()} reports the tensor's leaf flag, false for an
 * activation computed from trainable weights, and asking DJL 0.36 for the grad_fn of a tensor without one crashes
 * the JVM in native code (both seen here). With grad mode off nothing is recorded, so computing a product outside the
 * engine cannot cut a gradient path.
 */
public final class Autograd {
    private Autograd() {}

    /** True when a product of {@code x} may be recorded for backward (also for arrays of another engine). */
    public static boolean mayRecord(NDArray x) {
        return !(x instanceof PtNDArray) || JniUtils.isGradMode();
    }

    /**
     * Turns grad mode off for the calling thread, for threads that never train (the batching decoder's worker): the
     * float32 decode products then take the Java kernel there too. Never call it from a thread that trains.
     */
    public static void offOnThisThread() {
        JniUtils.setGradMode(false);
    }

    /**
     * Sets a parameter's accumulated gradient to zero in place: torch's {@code grad.zero_()}, a fill, so a NaN does
     * not survive it (as it would {@code muli(0)}). An indexed set of 0 did the same in three times the time (64 MB:
     * 6.0 against 2.1 ms, BENCHMARKS.md, twenty-second session). Arrays of another engine take the indexed set.
     */
    public static void zeroGradient(NDArray parameter) {
        if (parameter instanceof PtNDArray p) {
            JniUtils.zeroGrad(p);
            return;
        }
        try (NDArray g = parameter.getGradient()) {
            g.set(new NDIndex("..."), 0);
        }
    }
}
