package ai.t2l.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The heap the launcher gives a model, as a pure function of where its weights live (docs/WEIGHTS.md). */
class HeapSizingTest {
    private static final long GB = 1L << 30;
    private static final long MISTRAL = 7_241_732_096L; // matrix weights of Mistral-7B (all but norms)

    @Test
    void sixteenBitWeightsInPlaceGetASmallSerialHeapWithABoundedYoungGeneration() {
        List<String> expected = List.of("-Xmx768m", "-XX:MaxNewSize=64m", "-XX:SurvivorRatio=2", "-XX:+UseSerialGC",
                "-XX:+UseCountedLoopSafepoints", "-XX:LoopStripMiningIter=1000");
        assertEquals(expected, HeapSizing.jvmOptions(WeightPrecision.AUTO, true, MISTRAL, 24 * GB));
        assertEquals(expected, HeapSizing.jvmOptions(WeightPrecision.BF16, true, MISTRAL, 24 * GB));
    }

    /** glibc's mmap threshold is pinned only where the weights are file pages (16-bit in place). */
    @Test
    void mallocSettingsOnlyForSixteenBitWeightsInPlace() {
        List<String> pinned = List.of("MALLOC_ARENA_MAX=2", "MALLOC_MMAP_THRESHOLD_=4194304");
        assertEquals(pinned, HeapSizing.mallocEnvironment(WeightPrecision.AUTO, true));
        assertEquals(pinned, HeapSizing.mallocEnvironment(WeightPrecision.BF16, true));
        assertEquals(List.of(), HeapSizing.mallocEnvironment(WeightPrecision.BF16, false)); // rounded f32 folder
        assertEquals(List.of(), HeapSizing.mallocEnvironment(WeightPrecision.INT8, true));
        assertEquals(List.of(), HeapSizing.mallocEnvironment(WeightPrecision.AUTO, false));
        assertEquals(List.of(), HeapSizing.mallocEnvironment(WeightPrecision.F32, true));
    }

    @Test
    void float32FolderRoundedToBf16GetsDirectMemoryForIt() {
        List<String> o = HeapSizing.jvmOptions(WeightPrecision.BF16, false, 1_000_000_000L, 24 * GB);
        assertTrue(o.contains("-Xmx768m") && o.contains("-XX:MaxDirectMemorySize=" + (2_000_000_000L / (1 << 20)
                + 768 + 1) + "m"), o.toString());
    }

    @Test
    void int8GetsItsWeightsPlusRoomAndNeverMoreThanTheMachine() {
        List<String> o = HeapSizing.jvmOptions(WeightPrecision.INT8, true, MISTRAL, 24 * GB);
        assertEquals(1, o.size());
        long mb = Long.parseLong(o.get(0).replace("-Xmx", "").replace("m", ""));
        long int8 = MISTRAL + MISTRAL / 32 * 4; // 8.15 GB
        assertTrue(mb << 20 >= int8 + GB && mb << 20 <= int8 * 3 / 2 + 2 * GB, o.toString());
        // a machine too small for it: capped (the load's fit check then names the options)
        assertEquals(List.of("-Xmx" + (7 * 1024) + "m"), HeapSizing.jvmOptions(WeightPrecision.INT8, true, MISTRAL,
                8 * GB));
    }

    @Test
    void float32WeightsKeepTheLaunchersDefault() {
        assertEquals(List.of(), HeapSizing.jvmOptions(WeightPrecision.AUTO, false, MISTRAL, 24 * GB));
        assertEquals(List.of(), HeapSizing.jvmOptions(WeightPrecision.F32, true, MISTRAL, 24 * GB));
    }
}
