package ai.t2l.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code t2l serve} says before it can serve; serving itself is tested in t2l-server on a real engine. */
class ServeCommandTest {
    @TempDir
    Path tmp;

    @Test
    void withoutAMiniatureItAsksForModelAndT2l() {
        String old = System.getProperty("t2l.home");
        System.setProperty("t2l.home", tmp.toString());
        try {
            Object[] r = GenerateCommandTest.run("serve", "--port", "0");
            assertEquals(1, r[0]);
            String err = (String) r[1];
            assertTrue(err.contains("no embedded miniature at " + tmp.resolve("miniature")), err);
            assertTrue(err.contains("--model DIR and --t2l DIR"), err);
        } finally {
            if (old == null) {
                System.clearProperty("t2l.home");
            } else {
                System.setProperty("t2l.home", old);
            }
        }
    }

    /** Issue 11 item 2: --upstream must be an http(s) URL with a host; said in one line before anything loads. */
    @Test
    void aBadUpstreamUrlIsOneErrorLine() {
        Object[] r = GenerateCommandTest.run("serve", "--port", "0", "--upstream", "gpu-box:8000");
        assertEquals(1, r[0]);
        String err = ((String) r[1]).strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("error: --upstream must be an http:// or https:// URL with a host, got"
                + " 'gpu-box:8000'"), err);
    }

    /** Issue 10 item 14: a busy port is one error line naming the port and --port, not a BindException trace. */
    @Test
    void aBusyPortIsOneErrorLineNamingThePortAndTheFlag() throws Exception {
        try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            int port = busy.getLocalPort();
            Object[] r = GenerateCommandTest.run("serve", "--port", Integer.toString(port));
            assertEquals(1, r[0]);
            String err = ((String) r[1]).strip();
            assertEquals(1, err.lines().count(), err);
            assertTrue(err.startsWith("error: port " + port + " on 127.0.0.1 is already in use"), err);
            assertTrue(err.contains("--port"), err);
        }
    }

    @Test
    void theMiniaturesPageExamplesAreItsOwnTasksWithTheirInputs() {
        var examples = ServeCommand.miniatureExamples();
        assertEquals(DemoCommand.BUILT_IN.size(), examples.size());
        var world = ai.t2l.miniature.TaskWorld.standard();
        for (int i = 0; i < examples.size(); i++) {
            var task = world.task(DemoCommand.BUILT_IN.get(i));
            assertEquals(task.evalDescriptions().get(0), examples.get(i).description());
            assertEquals(world.examples(task, ai.t2l.miniature.Split.TEST, 1, 1).get(0).prompt(),
                    examples.get(i).prompt());
        }
    }

    @Test
    void theDefaultCheckpointIsSftLThenMThenSElseTheOnlyOne() throws Exception {
        Path root = tmp.resolve("t2l");
        Files.createDirectories(root.resolve("recon-M"));
        assertEquals(root.resolve("recon-M"), Miniature.checkpointIn(root), "the only checkpoint");
        Files.createDirectories(root.resolve("mine"));
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(ai.t2l.io.T2lException.class,
                () -> Miniature.checkpointIn(root));
        assertTrue(e.getMessage().contains("[mine, recon-M]") && e.getMessage().contains("--t2l DIR"), e.getMessage());
        for (String name : List.of("sft-S", "sft-M", "sft-L")) {
            Files.createDirectories(root.resolve(name));
            assertEquals(root.resolve(name), Miniature.checkpointIn(root));
        }
    }

    @Test
    void aCheckpointThatIsNotOneIsAClearError() throws Exception {
        Files.createDirectories(tmp.resolve("model"));
        Files.createDirectories(tmp.resolve("t2l"));
        Object[] r = GenerateCommandTest.run("serve", "--model", tmp.resolve("model").toString(), "--t2l",
                tmp.resolve("t2l").toString(), "--chat-format", "llama3", "--port", "0");
        assertEquals(1, r[0]);
        assertTrue(((String) r[1]).startsWith("error: "), (String) r[1]);
    }
}
