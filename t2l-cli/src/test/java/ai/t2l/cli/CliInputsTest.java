package ai.t2l.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.cli.TinyWorld.Run;
import ai.t2l.io.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Issue 10 items 10 and 19: bad command-line input gives one {@code error:} line and touches nothing. */
class CliInputsTest {
    @TempDir
    static Path tmp;
    static Path model;

    @BeforeAll
    static void tiny() {
        model = TinyWorld.model(tmp.resolve("model"), 3);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"--temperature, NaN", "--temperature, -1", "--temperature, Infinity", "--top-p, 0", "--top-p, 1.5",
        "--top-p, NaN", "--top-p, -0.5"})
    void badSamplingValuesAreErrorLines(String option, String value) {
        Run r = option.equals("--top-p")
                ? TinyWorld.run("run", "--model", model.toString(), "--prompt", "abc", "--temperature", "0.7", option, value)
                : TinyWorld.run("run", "--model", model.toString(), "--prompt", "abc", option, value);
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("error: " + option + " must be"), r.err());
    }

    @Test
    void runStopsAtTheContextWindow() throws IOException {
        Path small = tmp.resolve("small-window");
        TinyWorld.model(small, 3);
        ObjectNode c = (ObjectNode) Json.read(small.resolve("config.json"));
        c.put("max_position_embeddings", 30);
        Files.writeString(small.resolve("config.json"), Json.write(c));
        // 24 prompt tokens (see RunCommandTest) + 12 new would pass 30 positions: 6 new at most
        Run r = TinyWorld.run("run", "--model", small.toString(), "--chat", "--prompt", "Reverse the word cat",
                "--max-new-tokens", "12");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("note: stopping after 6 new tokens, at the model's context window of 30"), r.err());
        Matcher m = Pattern.compile("\\[24 prompt tokens, (\\d+) new tokens").matcher(r.err());
        assertTrue(m.find() && Integer.parseInt(m.group(1)) <= 6, r.err());
        Run tooLong = TinyWorld.run("run", "--model", small.toString(), "--prompt", "x".repeat(40));
        assertEquals(1, tooLong.code(), tooLong.err());
        assertTrue(tooLong.err().startsWith("error: the prompt has 40 tokens but the model's context window"),
                tooLong.err());
    }

    /** A FIFO as the weights file: opening it for reading would block until a writer comes, i.e. forever. */
    @Test
    @Timeout(300)
    void aFifoAsTheWeightsFileIsRefusedNotWaitedOn() throws Exception {
        Path dir = tmp.resolve("fifo-model");
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(model)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (!f.getFileName().toString().equals("model.safetensors")) {
                    Files.copy(f, dir.resolve(f.getFileName()));
                }
            }
        }
        Path fifo = dir.resolve("model.safetensors");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mk.waitFor(), "mkfifo");
        // Watchdog, not synchronisation: if the command blocks on the FIFO (the defect), a writer that connects and
        // closes lets it see end-of-file, so the test fails on the assertion below instead of hanging the build.
        CountDownLatch done = new CountDownLatch(1);
        Thread watchdog = new Thread(() -> {
            try {
                if (!done.await(120, TimeUnit.SECONDS)) {
                    try (OutputStream o = Files.newOutputStream(fifo)) {
                        o.flush();
                    }
                }
            } catch (Exception ignored) {
                // the test is over
            }
        });
        watchdog.setDaemon(true);
        watchdog.start();
        Run r;
        try {
            r = TinyWorld.run("run", "--model", dir.toString(), "--prompt", "abc", "--max-new-tokens", "2");
        } finally {
            done.countDown();
        }
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("error: " + fifo + ": not a regular file"), r.err());
    }

    static Path golden(String variant) {
        return Paths.get(System.getProperty("t2l.shared"), "fixtures", "golden", "t2l", variant);
    }

    @Test
    void generateRefusesOutputFoldersThatWouldDestroyInputs() throws IOException {
        Path t2l = tmp.resolve("inputs").resolve("t2l");
        Files.createDirectories(t2l);
        try (Stream<Path> files = Files.list(golden("S_384"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f)) {
                    Files.copy(f, t2l.resolve(f.getFileName()));
                }
            }
        }
        Path mistral = Paths.get(System.getProperty("t2l.shared"), "fixtures", "golden", "mistral");
        Path emb = tmp.resolve("emb.json");
        Files.writeString(emb, Json.read(t2l.resolve("task_embeddings.json")).get("embeddings").get(0)
                .get("raw_pooled").toString());
        String[][] cases = {
            {"/", "is a filesystem root"},
            {t2l.toString(), "holds the input --t2l"},
            {t2l.getParent().toString(), "holds the input --t2l"},
            {t2l.resolve("..").resolve("t2l").resolve(".").toString(), "holds the input --t2l"},
            {emb.toString(), "exists and is not a folder"},
        };
        for (String[] c : cases) {
            Run r = TinyWorld.run("generate", "--t2l", t2l.toString(), "--model", mistral.toString(), "--task-embedding",
                    emb.toString(), "--out", c[0], "--overwrite");
            assertEquals(1, r.code(), c[0] + ": " + r.err());
            assertTrue(r.err().startsWith("error: --out " + c[0] + " ") && r.err().contains(c[1]), r.err());
            assertTrue(Files.exists(t2l.resolve("hypermod.pt")) && Files.exists(emb), "inputs untouched: " + c[0]);
        }
    }

    @Test
    void unknownOptionsAreNamedAsSuch() {
        Run r = TinyWorld.run("inspect", "--x", model.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("Unknown option: '--x'"), r.err());
        // a misspelt option used to be reported as the required one it did not set ("Missing required argument")
        r = TinyWorld.run("generate", "--descriptoin", "Sort letters");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("Unknown options: '--descriptoin'"), r.err());
        assertTrue(r.err().contains("Possible solutions: --description"), r.err());
    }
}
