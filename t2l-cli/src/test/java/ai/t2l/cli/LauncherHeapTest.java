package ai.t2l.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ./t2l launcher sizes the heap from the model when T2L_JAVA_OPTS is unset (docs/WEIGHTS.md): run from the
 * test classpath with JAVA_TOOL_OPTIONS=-XX:+PrintCommandLineFlags, the command's JVM reports the heap it got. The
 * advice JVM prints its flags on stdout too, which the launcher must ignore (it reads only its marked line).
 */
class LauncherHeapTest {
    @TempDir
    Path dir;

    /** The ./t2l launcher with these arguments, on the test's classes, heap left to the launcher. */
    private ProcessBuilder launcher(List<String> args) {
        List<String> command = new ArrayList<>(List.of(Path.of("..", "t2l").toAbsolutePath().normalize().toString()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().put("T2L_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().remove("T2L_JAVA_OPTS");
        return pb;
    }

    /** {@code t2l logits} on a golden model through the launcher. */
    private ProcessBuilder logits(String model) {
        Path folder = Paths.get(System.getProperty("t2l.shared"), "fixtures", "golden", model);
        return launcher(List.of("logits", "--model", folder.toString(), "--input-ids", "1,2,3", "--out",
                dir.resolve(model + ".safetensors").toString()));
    }

    private String flagsOfLogits(String model) throws Exception {
        ProcessBuilder pb = logits(model);
        Map<String, String> env = pb.environment();
        env.put("JAVA_TOOL_OPTIONS", "-XX:+PrintCommandLineFlags");
        pb.redirectError(dir.resolve(model + ".err").toFile());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(150, TimeUnit.SECONDS), "launcher did not exit");
        String err = Files.readString(dir.resolve(model + ".err"), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), err);
        return new String(out, StandardCharsets.UTF_8);
    }

    @Test
    @Timeout(300)
    void bf16ModelGetsTheSmallHeapAndFloat32TheDefault() throws Exception {
        String bf16 = flagsOfLogits("llama_bf16");
        assertTrue(bf16.contains("-XX:MaxHeapSize=" + (768L << 20)) && bf16.contains("-XX:MaxNewSize=" + (64L << 20))
                && bf16.contains("-XX:SurvivorRatio=2") && bf16.contains("-XX:+UseSerialGC")
                // loop strip mining, which only G1 turns on by itself: the bf16 kernels' speed (HeapSizing)
                && bf16.contains("-XX:+UseCountedLoopSafepoints")
                && bf16.contains("-XX:LoopStripMiningIter=1000"), bf16);
        String f32 = flagsOfLogits("llama");
        assertTrue(f32.contains("-XX:MaxHeapSize=" + (8L << 30)), f32);
    }

    /**
     * A stand-in for java (T2L_JAVA): runs the heap advice with the real JVM and, for the command itself, prints the
     * malloc environment and the arguments it was given instead of running it.
     */
    private Path fakeJava(Path at) throws Exception {
        Files.createDirectories(at.getParent());
        String realJava = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(at, "#!/usr/bin/env bash\n"
                + "for a in \"$@\"; do [ \"$a\" = ai.t2l.cli.HeapAdvice ] && exec '" + realJava + "' \"$@\"; done\n"
                + "echo \"fake-java MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-unset}"
                + " MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-unset}"
                + " MALLOC_TRIM_THRESHOLD_=${MALLOC_TRIM_THRESHOLD_:-unset}\"\n"
                + "echo \"fake-java OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-unset} GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-unset}\"\n"
                + "echo \"fake-java LD_PRELOAD=${LD_PRELOAD:-unset}\"\n"
                + "echo \"args: $*\"\n");
        assertTrue(at.toFile().setExecutable(true));
        return at;
    }

    private record Run(int exit, String out, String err) {}

    private Run launch(String javaSetting, String model, Map<String, String> extraEnv) throws Exception {
        return launch(javaSetting, logits(model), extraEnv);
    }

    /** Any command through the launcher on the test's classes (no model named: no heap advice). */
    private Run launch(String javaSetting, List<String> args, Map<String, String> extraEnv) throws Exception {
        return launch(javaSetting, launcher(args), extraEnv);
    }

    private Run launch(String javaSetting, ProcessBuilder pb, Map<String, String> extraEnv) throws Exception {
        Map<String, String> env = pb.environment();
        env.remove("JAVA_TOOL_OPTIONS");
        env.remove("MALLOC_ARENA_MAX");
        env.remove("MALLOC_MMAP_THRESHOLD_");
        env.remove("MALLOC_TRIM_THRESHOLD_");
        env.remove("GLIBC_TUNABLES");
        env.remove("OMP_WAIT_POLICY"); // surefire sets it for the tests' own engine
        env.remove("GOMP_SPINCOUNT");
        env.remove("LD_PRELOAD");
        env.remove("T2L_MKL_DISPATCH");
        env.put("T2L_JAVA", javaSetting);
        env.putAll(extraEnv);
        Path errFile = dir.resolve("launch.err");
        pb.redirectError(errFile.toFile());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(150, TimeUnit.SECONDS), "launcher did not exit");
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8),
                Files.readString(errFile, StandardCharsets.UTF_8));
    }

    /** T2L_JAVA picks the JVM (an executable or a JDK folder); bf16 in place gets glibc's pinned mmap threshold. */
    @Test
    @Timeout(300)
    void t2lJavaRunsTheCommandAndSixteenBitWeightsGetTheMallocSettings() throws Exception {
        Path fake = fakeJava(dir.resolve("fake").resolve("java"));
        Run bf16 = launch(fake.toString(), "llama_bf16", Map.of());
        assertEquals(0, bf16.exit(), bf16.err());
        assertTrue(bf16.out().contains("fake-java MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=4194304"), bf16.out());
        assertTrue(bf16.out().contains("-XX:+UseSerialGC") && bf16.out().contains("ai.t2l.cli.Main logits"),
                bf16.out());

        Run f32 = launch(fake.toString(), "llama", Map.of());
        assertTrue(f32.out().contains("fake-java MALLOC_ARENA_MAX=unset MALLOC_MMAP_THRESHOLD_=unset"), f32.out());

        Run own = launch(fake.toString(), "llama_bf16", Map.of("MALLOC_ARENA_MAX", "4"));
        assertTrue(own.out().contains("fake-java MALLOC_ARENA_MAX=4 MALLOC_MMAP_THRESHOLD_=4194304"), own.out());

        Path jdk = dir.resolve("jdk");
        fakeJava(jdk.resolve("bin").resolve("java"));
        Run home = launch(jdk.toString(), "llama_bf16", Map.of());
        assertTrue(home.out().contains("fake-java"), home.out() + home.err());
    }

    /** Training keeps freed blocks in malloc's heap (the launcher's comment, BENCHMARKS.md); nothing else does. */
    @Test
    @Timeout(120)
    void trainingGetsMallocThatKeepsFreedBlocksUnlessTheUserSetOne() throws Exception {
        Path fake = fakeJava(dir.resolve("fake").resolve("java"));
        String keep = "MALLOC_ARENA_MAX=1 MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=4294967296";
        for (List<String> args : List.of(List.of("train", "sft", "--help"), List.of("bench", "train", "--help"))) {
            Run r = launch(fake.toString(), args, Map.of());
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("fake-java " + keep), args + ": " + r.out());
        }
        Run decode = launch(fake.toString(), List.of("bench", "decode", "--help"), Map.of());
        assertTrue(decode.out().contains("fake-java MALLOC_ARENA_MAX=unset MALLOC_MMAP_THRESHOLD_=unset"
                + " MALLOC_TRIM_THRESHOLD_=unset"), decode.out());
        Run own = launch(fake.toString(), List.of("train", "sft", "--help"),
                Map.of("GLIBC_TUNABLES", "glibc.malloc.arena_max=1"));
        assertTrue(own.out().contains("fake-java MALLOC_ARENA_MAX=unset MALLOC_MMAP_THRESHOLD_=unset"
                + " MALLOC_TRIM_THRESHOLD_=unset"), own.out());
        Run arenas = launch(fake.toString(), List.of("bench", "train", "--help"), Map.of("MALLOC_ARENA_MAX", "4"));
        assertTrue(arenas.out().contains("fake-java MALLOC_ARENA_MAX=4 MALLOC_MMAP_THRESHOLD_=unset"), arenas.out());
    }

    /** libgomp's threads spin briefly (the launcher's comment, BENCHMARKS.md); a policy or spin count set stays. */
    @Test
    @Timeout(120)
    void openMpThreadsGetAShortSpinUnlessTheUserSetOne() throws Exception {
        Path fake = fakeJava(dir.resolve("fake").resolve("java"));
        for (List<String> args : List.of(List.of("train", "sft", "--help"), List.of("bench", "decode", "--help"),
                List.of("generate", "--help"))) {
            Run r = launch(fake.toString(), args, Map.of());
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("fake-java OMP_WAIT_POLICY=unset GOMP_SPINCOUNT=10000"), args + ": " + r.out());
        }
        Run own = launch(fake.toString(), List.of("train", "sft", "--help"), Map.of("OMP_WAIT_POLICY", "ACTIVE"));
        assertTrue(own.out().contains("fake-java OMP_WAIT_POLICY=ACTIVE GOMP_SPINCOUNT=unset"), own.out());
        Run spin = launch(fake.toString(), List.of("run", "--help"), Map.of("GOMP_SPINCOUNT", "5"));
        assertTrue(spin.out().contains("fake-java OMP_WAIT_POLICY=unset GOMP_SPINCOUNT=5"), spin.out());
    }

    /**
     * On an AMD CPU (x86-64 Linux, a C compiler) every command gets MKL's vendor-dispatch library first in LD_PRELOAD
     * (the launcher's comment, MklVendorDispatchTest); T2L_MKL_DISPATCH=default and other CPUs get none.
     */
    @Test
    @Timeout(120)
    void amdCpusGetMklsVendorDispatchLibraryPreloadedUnlessTheUserSaysDefault() throws Exception {
        Path fake = fakeJava(dir.resolve("fake").resolve("java"));
        Path lib = MklVendorDispatchTest.library();
        List<String> args = List.of("generate", "--help");
        Run r = launch(fake.toString(), args, Map.of());
        assertEquals(0, r.exit(), r.err());
        Run other = launch(fake.toString(), args, Map.of("LD_PRELOAD", "/opt/other/libother.so"));
        if (lib != null) {
            assertTrue(r.out().contains("fake-java LD_PRELOAD=" + lib + "\n"), r.out());
            assertTrue(other.out().contains("fake-java LD_PRELOAD=" + lib + ":/opt/other/libother.so\n"), other.out());
        } else {
            assertTrue(r.out().contains("fake-java LD_PRELOAD=unset"), r.out());
            assertTrue(other.out().contains("fake-java LD_PRELOAD=/opt/other/libother.so\n"), other.out());
        }
        Run kept = launch(fake.toString(), args, Map.of("T2L_MKL_DISPATCH", "default"));
        assertTrue(kept.out().contains("fake-java LD_PRELOAD=unset"), kept.out());
    }

    @Test
    @Timeout(60)
    void aT2lJavaThatIsNoJavaIsNamed() throws Exception {
        Run r = launch(dir.resolve("no-such-jdk").toString(), "llama_bf16", Map.of());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("T2L_JAVA=") && r.err().contains("no-such-jdk")
                && r.err().contains("neither a java executable nor a JDK folder"), r.err());
    }
}
