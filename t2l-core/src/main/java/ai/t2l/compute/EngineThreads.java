package ai.t2l.compute;

import ai.djl.pytorch.jni.JniUtils;

/**
 * libtorch's intra-op thread count for one forward pass, restored on close. A pass whose matrix products run on our
 * own kernels (decode and batched decode; every product of a 16/8-bit model below the GEMM path) leaves the engine
 * only small ops, which gain nothing from a second thread; and a second libtorch thread that spins after each op
 * (libgomp's wait, which prefill and training want: docs/PERFORMANCE.md) takes the core our {@link ComputePool}
 * needs. Paired on §2 with a short spin: decode batch 1 26.9–28.9 tok/s with two engine threads, 34.1 with one
 * (BENCHMARKS.md, issue 16, twelfth session). The count is the calling thread's OpenMP setting; MKL's is
 * process-wide, which only a GEMM-sized product on another thread at the same moment would notice.
 */
public final class EngineThreads implements AutoCloseable {
    private static final EngineThreads UNCHANGED = new EngineThreads(0);

    private final int restore;

    private EngineThreads(int restore) {
        this.restore = restore;
    }

    /** One engine thread until close when {@code oneThread}, else nothing changes. */
    public static EngineThreads oneIf(boolean oneThread) {
        if (!oneThread) {
            return UNCHANGED;
        }
        int n = JniUtils.getNumThreads();
        if (n <= 1) {
            return UNCHANGED;
        }
        JniUtils.setNumThreads(1);
        return new EngineThreads(n);
    }

    @Override
    public void close() {
        if (restore > 0) {
            JniUtils.setNumThreads(restore);
        }
    }
}
