package ai.t2l.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the launcher asks before starting the real JVM: heap options from the command line's model folder. */
class HeapAdviceTest {
    private static final long MACHINE = 24L << 30;

    /** The options for 16-bit weights used in place (HeapSizing.jvmOptions). */
    private static final List<String> IN_PLACE = List.of("-Xmx768m", "-XX:MaxNewSize=64m", "-XX:SurvivorRatio=2",
            "-XX:+UseSerialGC", "-XX:+UseCountedLoopSafepoints", "-XX:LoopStripMiningIter=1000");

    private static String golden(String name) {
        Path p = Paths.get(System.getProperty("t2l.shared"), "fixtures", "golden", name);
        return p.toString();
    }

    private static List<String> advise(String... args) {
        return HeapAdvice.options(args, MACHINE);
    }

    @Test
    void bf16FolderRunsInPlaceWithASmallHeap() {
        assertEquals(IN_PLACE, advise("run", "--model", golden("llama_bf16"), "--prompt", "hi"));
        assertEquals(IN_PLACE, advise("serve", "--port", "0", "--model=" + golden("llama_bf16")));
        assertEquals(IN_PLACE, advise("bench", "decode", "--model", golden("llama_bf16"), "--weights", "bf16"));
    }

    /** Only 16-bit weights in place get the malloc settings (HeapSizing.mallocEnvironment); float32 and int8 not. */
    @Test
    void mallocSettingsOnlyForSixteenBitWeightsInPlace() {
        assertEquals(List.of("MALLOC_ARENA_MAX=2", "MALLOC_MMAP_THRESHOLD_=4194304"),
                HeapAdvice.environment(new String[] {"run", "--model", golden("llama_bf16"), "--prompt", "hi"}, MACHINE));
        assertEquals(List.of(), HeapAdvice.environment(new String[] {"run", "--model", golden("llama_bf16"),
            "--weights", "int8"}, MACHINE));
        assertEquals(List.of(), HeapAdvice.environment(new String[] {"run", "--model", golden("llama")}, MACHINE));
        assertEquals(List.of(), HeapAdvice.environment(new String[] {"train", "sft"}, MACHINE));
    }

    @Test
    void int8GetsAHeapForItsWeights() {
        List<String> o = advise("run", "--model", golden("llama_bf16"), "--weights", "int8", "--prompt", "hi");
        assertEquals(1, o.size());
        assertTrue(o.get(0).startsWith("-Xmx"), o.toString());
    }

    @Test
    void float32ModelsOtherCommandsAndUnknownInputKeepTheDefault() {
        assertEquals(List.of(), advise("run", "--model", golden("llama"), "--prompt", "hi")); // float32 folder
        assertEquals(List.of(), advise("train", "sft", "--model", golden("llama_bf16")));
        assertEquals(List.of(), advise("run", "--model", "/nonexistent/folder"));
        assertEquals(List.of(), advise("run", "--prompt", "hi"));
        assertEquals(List.of(), advise());
    }

    /** bench decode --shape writes its folder in the same run: the heap comes from the shape's config then. */
    @Test
    void aShapeNotYetWrittenIsSizedFromItsConfig() {
        String unwritten = Paths.get(System.getProperty("java.io.tmpdir"), "t2l-no-such-shape-folder").toString();
        assertEquals(IN_PLACE,
                advise("bench", "decode", "--shape", "gemma-2-2b", "--out", unwritten, "--weights", "bf16"));
        assertEquals(IN_PLACE, advise("bench", "decode", "--shape=mistral-7b"));
        List<String> int8 = advise("bench", "decode", "--shape", "llama-3.1-8b", "--out", unwritten, "--weights",
                "int8");
        assertEquals(1, int8.size());
        assertTrue(int8.get(0).startsWith("-Xmx"), int8.toString());
        assertEquals(List.of(), advise("bench", "decode", "--shape", "no-such-shape"));
    }

    @Test
    void theLastValueWinsAsInPicocli() {
        assertEquals("b", HeapAdvice.value(new String[] {"run", "--model", "a", "--model=b"}, "--model"));
        assertEquals(null, HeapAdvice.value(new String[] {"run", "--model"}, "--model"));
    }
}
