package ai.t2l.compute;

import java.nio.ByteBuffer;

/** Gemma 2's soft-capping c·tanh(x / c) on float32 memory, on this JVM's best kernels ({@link Kernels#softcap}). */
public final class Softcap {
    private Softcap() {}

    /**
     * In place on the first n float32 values of {@code b} (in b's byte order), on both cores. On gemma-2-2b a batch-8
     * decode step caps 8 × 256,000 logits: the engine's three ops (divide, tanh, multiply, each a new 8 MB array) took
     * 15–20 ms on one engine thread in a scratch benchmark, against 1 ms here, and about 2–4 ms of a 350 ms step inside
     * {@code t2l bench decode} (BENCHMARKS.md, thirty-first session).
     */
    public static void inPlace(ByteBuffer b, int n, float cap) {
        if (4L * n > b.capacity()) {
            throw new IllegalArgumentException("softcap: " + n + " floats in a buffer of " + b.capacity() + " bytes");
        }
        if (!(cap > 0f) || Float.isInfinite(cap)) {
            throw new IllegalArgumentException("softcap: the cap must be a positive finite number, got " + cap);
        }
        Kernels k = Kernels.best();
        ComputePool.forRange(n, n, (from, to) -> k.softcap(b, from, to, cap, n));
    }
}
