package ai.t2l.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 item 16: in a POSIX locale (LANG=C, Docker's default) the JVM decodes arguments as ASCII, so "Übung"
 * arrived as "?bung". The ./t2l launcher forces a UTF-8 locale; this runs it (from the test classpath, no build)
 * with LANG=C and a non-ASCII argument naming a file whose content is echoed back.
 */
class LauncherLocaleTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void nonAsciiArgumentsArriveIntactUnderLangC() throws Exception {
        Path launcher = Path.of("..", "t2l").toAbsolutePath().normalize();
        assertTrue(Files.isExecutable(launcher), launcher + " must be executable");
        String content = "Grüße aus Zürich, 数学";
        Files.writeString(dir.resolve("plain.json"),
                "[{\"role\": \"user\", \"content\": \"" + content + "\"}]", StandardCharsets.UTF_8);
        // The non-ASCII name is made and passed by bash from UTF-8 bytes, so this JVM's own locale plays no part.
        Files.writeString(dir.resolve("run.sh"), "cp plain.json 'Übung-数学.json'\n"
                + "exec '" + launcher + "' prompt --format mistral --messages 'Übung-数学.json'\n",
                StandardCharsets.UTF_8);
        ProcessBuilder pb = new ProcessBuilder("bash", "run.sh").directory(dir.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("LC_") || k.equals("LANGUAGE"));
        env.put("LANG", "C");
        env.put("T2L_CLASSPATH", System.getProperty("java.class.path"));
        env.put("T2L_JAVA_OPTS", "-Xmx256m");
        pb.redirectError(dir.resolve("stderr.txt").toFile());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "launcher did not exit");
        String err = Files.readString(dir.resolve("stderr.txt"), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), err);
        String text = new String(out, StandardCharsets.UTF_8);
        assertTrue(text.contains("[INST] " + content + " [/INST]"), text + err);
    }
}
