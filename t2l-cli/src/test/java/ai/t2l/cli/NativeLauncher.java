package ai.t2l.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The ./t2l launcher on the test classes, for the options that need its native library (which the launcher builds
 * where the CPU runs it and a C compiler is installed): {@code --heads bf16dot}, {@code --products bf16dot|int8dot}.
 */
final class NativeLauncher {
    private NativeLauncher() {}

    /**
     * Skips where the CPU lacks one of {@code cpuFlags} (as /proc/cpuinfo names them) or no C compiler is installed;
     * in CI (CI=true, where .ci/run installs gcc) a missing compiler fails instead.
     */
    static void assumeItBuilds(String... cpuFlags) throws IOException {
        String cpu = Files.readString(Path.of("/proc/cpuinfo"), StandardCharsets.ISO_8859_1);
        for (String flag : cpuFlags) {
            Assumptions.assumeTrue(cpu.matches("(?s).*\\b" + flag + "\\b.*"), "this CPU has no " + flag);
        }
        boolean cc = Arrays.stream(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d,
                "cc")));
        assertTrue(cc || !"true".equalsIgnoreCase(System.getenv("CI")), "CI=true: cc is not installed");
        Assumptions.assumeTrue(cc, "cc is not installed (apt-get install gcc)");
    }

    /** Runs {@code ./t2l args...}, asserting that it exits 0 within 150 s; returns what it printed. */
    static String run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of("..", "t2l").toAbsolutePath().normalize().toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("T2L_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().remove("T2L_JAVA_OPTS");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(150, TimeUnit.SECONDS), "launcher did not exit");
        assertEquals(0, p.exitValue(), printed);
        return printed;
    }
}
