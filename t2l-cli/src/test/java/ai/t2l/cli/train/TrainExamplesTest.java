package ai.t2l.cli.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 10 item 17: every training mode has an example config under examples/train/ that works as shipped, run from
 * the repository root the way the README says (./t2l, here from the test classpath); --help lists the settings.
 */
class TrainExamplesTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    private static String[] runLauncher(Path err, String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = ROOT.resolve("t2l").toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectError(err.toFile());
        pb.environment().put("T2L_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("T2L_JAVA_OPTS", "-Xmx1g");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(240, TimeUnit.SECONDS), "t2l did not exit");
        return new String[] {Integer.toString(p.exitValue()), out, Files.readString(err)};
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "lora", "mt-lora", "recon", "sft"})
    @Timeout(300)
    void eachExampleConfigResolvesAndEstimates(String mode) throws Exception {
        Path config = ROOT.resolve("examples/train/" + mode + ".yaml");
        assertTrue(Files.isRegularFile(config), config + " is shipped");
        String[] r = runLauncher(tmp.resolve("err.txt"), "train", mode, "--config", "examples/train/" + mode + ".yaml",
                "--dry-run");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("# resolved settings of t2l train " + mode) && r[1].contains("parameters:"), r[1]);
    }

    @Test
    void helpListsEverySettingWithItsDefault() {
        Object[] r = TrainCommandTest.run("train", "lora", "--help");
        String help = (String) r[1];
        assertEquals(0, r[0], (String) r[2]);
        assertTrue(help.contains("Settings (keys of --config FILE, or --key value; defaults shown):"), help);
        for (String key : new TrainLoraCommand().defaults().keySet()) {
            assertTrue(help.lines().anyMatch(l -> l.trim().startsWith(key + " ")), key + " in: " + help);
        }
        assertTrue(help.lines().anyMatch(l -> l.trim().matches("lora_r\\s+8")), help);
        assertTrue(help.lines().anyMatch(l -> l.trim().matches("target_modules\\s+\\[q_proj, v_proj]")), help);
    }

    @Test
    void aTrainJsonlIsNamedAfterItsFolder() {
        assertEquals("reverse_plain", TaskInputs.taskName(Path.of("world", "reverse_plain", "train.jsonl")));
        assertEquals("upper", TaskInputs.taskName(Path.of("tasks", "upper.jsonl")));
    }
}
