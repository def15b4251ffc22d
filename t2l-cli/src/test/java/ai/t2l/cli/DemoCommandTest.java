package ai.t2l.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/** `t2l demo` on the committed miniature (repository root), offline. */
class DemoCommandTest {
    @Test
    void demoRunsOnTheEmbeddedMiniature() {
        Path dir = Paths.get("..", "miniature");
        assumeTrue(Files.exists(dir.resolve("model/config.json")), "no built miniature in the repository");
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            rc = Main.execute("demo", "--dir", dir.toString(), "--examples", "2", "--description",
                    "Reverse the word and put it in quotes.");
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, out);
        assertTrue(out.contains("held-out task case-upper_parens") && out.contains("your description"), out);
        assertTrue(out.contains("adapter generated in"), out);
    }
}
