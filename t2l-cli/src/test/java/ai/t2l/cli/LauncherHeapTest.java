package ai.t2l.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
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

    private String flagsOfLogits(String model) throws Exception {
        Path launcher = Path.of("..", "t2l").toAbsolutePath().normalize();
        Path folder = Paths.get(System.getProperty("t2l.shared"), "fixtures", "golden", model);
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "logits", "--model", folder.toString(),
                "--input-ids", "1,2,3", "--out", dir.resolve(model + ".safetensors").toString()).directory(dir.toFile());
        Map<String, String> env = pb.environment();
        env.put("T2L_CLASSPATH", System.getProperty("java.class.path"));
        env.remove("T2L_JAVA_OPTS");
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
        assertTrue(bf16.contains("-XX:MaxHeapSize=" + (768L << 20)) && bf16.contains("-XX:MaxNewSize=" + (64L << 20)),
                bf16);
        String f32 = flagsOfLogits("llama");
        assertTrue(f32.contains("-XX:MaxHeapSize=" + (8L << 30)), f32);
    }
}
