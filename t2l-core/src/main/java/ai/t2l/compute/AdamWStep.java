package ai.t2l.compute;

import java.nio.ByteBuffer;
import java.util.stream.IntStream;

/**
 * One AdamW update on float32 memory, on this JVM's best kernels ({@link Kernels#adamW}). The coefficients are
 * rounded once to float32, as PyTorch rounds a Python scalar: g ← g·gradScale (gradient clipping's factor, 1 when it
 * does not clip: clip_grad_norm_'s in-place product, done here as the gradient is read instead of in a pass of its
 * own); m ← m + (g − m)·oneMinusB1; v ← v·b2 + g²·oneMinusB2; p ← p·decay + (m / (√v / bc2 + eps))·negStep.
 */
public record AdamWStep(float gradScale, float oneMinusB1, float b2, float oneMinusB2, float decay, float bc2,
        float eps, float negStep) {
    /** Values per parallel task: big enough to amortise the task, small enough to balance. */
    private static final int CHUNK = 1 << 16;

    /** The update in place on the first n float32 values of p, m and v (native byte order), in parallel chunks. */
    public void apply(ByteBuffer p, ByteBuffer g, ByteBuffer m, ByteBuffer v, int n) {
        for (ByteBuffer b : new ByteBuffer[] {p, g, m, v}) {
            if (4L * n > b.capacity()) {
                throw new IllegalArgumentException("adamW: " + n + " floats in a buffer of " + b.capacity() + " bytes");
            }
        }
        Kernels kernels = Kernels.best();
        int chunks = (n + CHUNK - 1) / CHUNK;
        IntStream.range(0, chunks).parallel()
                .forEach(c -> kernels.adamW(p, g, m, v, c * CHUNK, Math.min(n, (c + 1) * CHUNK), this));
    }
}
