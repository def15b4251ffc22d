package ai.t2l.compute;

import java.util.List;

/**
 * The Java heap a model needs, so that the launcher can size it without flags (issue 15: peak RSS of a bf16 model at
 * most its files + 15%). Where the weights live decides:
 * <ul>
 *   <li>16-bit weights used in place are file pages, not heap. The launcher's general default (-Xmx8g) let G1 grow
 *       its young generation with short-lived activation arrays: the gemma-2-2b shape peaked at 1.17x its files
 *       with -Xmx8g, 1.13x with {@code -Xmx768m -XX:MaxNewSize=64m} (BENCHMARKS.md, 2026-12-02). A float32 folder
 *       asked for bf16 is rounded into direct buffers, which -XX:MaxDirectMemorySize (default: -Xmx) must admit.</li>
 *   <li>int8 weights are Java arrays: the heap must hold them plus room for everything else.</li>
 *   <li>float32 weights are engine (native) memory: the general default stays.</li>
 * </ul>
 */
public final class HeapSizing {
    /** Heap for everything but int8 weights: tokenizer, activations on their way to the kernels, server state. */
    static final long BASE_HEAP = 768L << 20;

    /** Young generation for in-place 16-bit weights: bounded, so G1 does not touch gigabytes of short-lived eden. */
    static final long YOUNG = 64L << 20;

    /** Eden ÷ one survivor space for in-place 16-bit weights: 2 gives 32 MB of eden and two 16 MB survivors. */
    static final int SURVIVOR_RATIO = 2;

    /** Iterations per strip of a counted loop: the JVM's own value when G1 turns loop strip mining on. */
    static final int STRIP_MINING_ITER = 1000;

    /** glibc's mmap threshold for 16-bit weights in place: blocks from 4 MB up get their own mapping. */
    static final int MMAP_THRESHOLD = 4 << 20;

    private HeapSizing() {}

    /**
     * JVM options for a model of {@code matrixParams} weights in its big matrices held in {@code p}; empty when the
     * launcher's default fits (float32 in engine memory). {@code physical}: the machine's memory in bytes, a cap.
     */
    public static List<String> jvmOptions(WeightPrecision p, boolean storedHalf, long matrixParams, long physical) {
        boolean inPlace = p == WeightPrecision.AUTO && storedHalf || p == WeightPrecision.BF16 && storedHalf;
        if (inPlace) {
            // Serial, not G1: G1 placed each step's logits-sized arrays (humongous objects, 1 MB regions) in regions
            // it had not touched yet, so the heap's resident part grew to 245-345 MB of the 768; Serial reuses its
            // 64 MB eden and stayed at 113-115 MB (gemma-2-2b bf16 bench decode, docs/WEIGHTS.md "Memory of bf16").
            // A 768 MB heap collects in milliseconds whichever collector runs it.
            // Survivor spaces of a quarter of the young generation each (16 MB), not a tenth (6.4 MB): a product's
            // output of a 256-row prefill (256 x 9216 floats, 9.4 MB) alive at a young collection did not fit a
            // survivor space, so it was promoted; 26 collections in a row promoted one each, 225 MB of old garbage
            // that no full collection ever came to free, and the peak RSS rose from 1.13x to 1.17x the files
            // (gemma-2-2b bf16 bench decode, -Xlog:gc; docs/WEIGHTS.md "Memory of bf16 in place").
            // Loop strip mining, which the JVM turns on for G1 only: without it C2 compiled the skinny bf16 kernels
            // 25-30% slower (VectorKernels.half4x4 at batch 8: 32-38 against 46-50 G multiply-adds/s on one core, the
            // same under ParallelGC; with the two flags Serial ran 46). On gemma-2-2b bf16 the Serial settings without
            // them ran batch-8 decode 17-20% and prefill 28-30% below G1 (BENCHMARKS.md, thirtieth session).
            return List.of(xmx(BASE_HEAP), "-XX:MaxNewSize=" + mb(YOUNG), "-XX:SurvivorRatio=" + SURVIVOR_RATIO,
                    "-XX:+UseSerialGC", "-XX:+UseCountedLoopSafepoints",
                    "-XX:LoopStripMiningIter=" + STRIP_MINING_ITER);
        }
        if (p == WeightPrecision.BF16) { // float32 folder rounded to bf16 in direct buffers
            return List.of(xmx(BASE_HEAP), "-XX:MaxNewSize=" + mb(YOUNG),
                    "-XX:MaxDirectMemorySize=" + mb(2 * matrixParams + BASE_HEAP));
        }
        if (p == WeightPrecision.INT8) {
            long int8 = matrixParams + matrixParams / Int8Matrix.BLOCK * 4; // values + one float scale per block
            // + 1/8 for G1's region rounding of the large arrays (humongous objects) and the base heap
            long heap = int8 + int8 / 8 + 2 * BASE_HEAP;
            return List.of(xmx(Math.min(heap, Math.max(physical - (1L << 30), BASE_HEAP))));
        }
        return List.of();
    }

    /**
     * glibc malloc settings (environment variables, set by the launcher) for 16-bit weights used in place; empty
     * otherwise. glibc raises its mmap threshold to the largest block freed so far (up to 32 MB), after which
     * libtorch's activations come from malloc arenas that keep freed memory resident: on gemma-2-2b bf16, 7
     * arena heaps of 60-65 MB each (about 435 MB) after the batch-8 prefill's tiles. A fixed threshold keeps
     * blocks from it up in their own mappings, returned to the kernel when freed. It was 128 KB (the peak fell from
     * 1.18-1.23x to 1.16x the files with G1, docs/WEIGHTS.md), but then every block of a decode step from 128 KB up
     * (a batch-8 activation of 8 x 9216 floats is 295 KB) was mapped, faulted in and zeroed afresh: 8.3-8.6 M page
     * faults and 21-25 s of system time in a gemma-2-2b bf16 bench run. At 4 MB the same run took 1.2-1.5 M faults
     * and 5 s; the peak stayed at 1.13-1.14x the files (nine runs; Mistral-7B 1.05x), and with the Serial
     * settings' loop strip mining batch-8 decode ran as fast as under G1 (BENCHMARKS.md, thirtieth session). Float32
     * models, whose big arrays are the weights themselves, keep glibc's default.
     */
    public static List<String> mallocEnvironment(WeightPrecision p, boolean storedHalf) {
        boolean inPlace = p == WeightPrecision.AUTO && storedHalf || p == WeightPrecision.BF16 && storedHalf;
        return inPlace ? List.of("MALLOC_ARENA_MAX=2", "MALLOC_MMAP_THRESHOLD_=" + MMAP_THRESHOLD) : List.of();
    }

    private static String xmx(long bytes) {
        return "-Xmx" + mb(bytes);
    }

    private static String mb(long bytes) {
        return ((bytes + (1L << 20) - 1) >> 20) + "m";
    }
}
