package ai.t2l.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;

/**
 * Inverted dropout, x · mask with mask = 1/(1−p) where kept and 0 where dropped (torch.nn.functional.dropout in
 * training), with the mask drawn here in Java and written straight into an engine array. Why not the engine's own:
 * libtorch 2.7.1's CPU {@code bernoulli_} (what DJL's {@code Dropout.dropout} calls) took 6.4 ms for 917,504 values
 * on the machine of 2026-12-02 (an Intel Xeon with AVX-512), this mask and multiply 1.9 ms ({@code DropoutBench};
 * BENCHMARKS.md, "Dropout masks"). The miniature's sft-S trunk drops out four times per row, which made dropout about
 * 16% of its step. The backward pass is the engine's (grad · mask), as for torch's dropout.
 *
 * <p>Each value keeps with probability 1 − p quantised to 1/65,536 (16 random bits per value: 4 per
 * {@link SplittableRandom#nextLong()}); for p = 0.05 that is 0.0500031 instead of 0.05. The stream is per thread
 * and {@link #seed seeded} by the optimiser every step, so a run, and a resumed run, draws the same masks.
 */
public final class Dropout {
    private static final ThreadLocal<SplittableRandom> STREAM = ThreadLocal.withInitial(() -> new SplittableRandom(0));

    private Dropout() {}

    /** Restarts this thread's mask stream (Optimization does it before every step, from the run's own RNG). */
    public static void seed(long seed) {
        STREAM.set(new SplittableRandom(seed));
    }

    /** x with each value zeroed with probability p and the rest scaled by 1/(1−p); x itself when p is 0. */
    public static NDArray apply(NDArray x, float p) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        if (p == 0 || x.size() == 0) {
            return x;
        }
        if (x.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("dropout is for float32 training, got " + x.getDataType() + " "
                    + x.getShape());
        }
        NDArray mask = x.getManager().create(x.getShape(), DataType.FLOAT32); // uninitialised, ours to fill
        FloatBuffer out = EngineMemory.writable(mask);
        if (out == null) {
            throw new IllegalStateException("a fresh engine array is not writable in place: " + mask.getShape());
        }
        fill(out, p, STREAM.get());
        return x.mul(mask);
    }

    /** Keeps a value when its 16 random bits are at least round(p · 65,536). */
    static void fill(FloatBuffer out, float p, SplittableRandom random) {
        int threshold = (int) Math.round(p * 65536.0);
        float keep = 1f / (1f - p);
        int n = out.capacity();
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            long bits = random.nextLong();
            out.put(i, (bits & 0xFFFF) >= threshold ? keep : 0f);
            out.put(i + 1, ((bits >>> 16) & 0xFFFF) >= threshold ? keep : 0f);
            out.put(i + 2, ((bits >>> 32) & 0xFFFF) >= threshold ? keep : 0f);
            out.put(i + 3, (bits >>> 48) >= threshold ? keep : 0f);
        }
        for (; i < n; i++) {
            out.put(i, (random.nextInt() & 0xFFFF) >= threshold ? keep : 0f);
        }
    }
}
