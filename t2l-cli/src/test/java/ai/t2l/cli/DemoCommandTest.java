package ai.t2l.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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

        // Issue 13.5: the exact answers, not substrings. The expected answers are worked out by hand from the task
        // definitions (docs/MINIATURE-WORLD.md) for the demo's test words (seed 1): a Caesar shift by one letter
        // (z wraps to a) in double quotes; the first two letters in square brackets; capitals in parentheses;
        // and the reversed word for the user's description (no expected column there).
        assertRow(out, "seen task shift-1_quotes", "brix", "\"csjy\"", true);
        assertRow(out, "seen task shift-1_quotes", "dzjqtop", "\"eakrupq\"", true);
        assertRow(out, "seen task first-2_brackets", "rszu", "[rs]", true);
        assertRow(out, "seen task first-2_brackets", "hwsnhjje", "[hw]", true);
        assertRow(out, "held-out task case-upper_parens", "agee", "(AGEE)", true);
        assertRow(out, "held-out task case-upper_parens", "zcomre", "(ZCOMRE)", true);
        assertRow(out, "your description", "brix", "\"xirb\"", false);
        assertRow(out, "your description", "dzjqtop", "\"potqjzd\"", false);
    }

    /**
     * In the section that starts with {@code section}, the row of {@code input} must read exactly: input, the base
     * model's answer (whatever it is, but not the right one), the adapted answer = {@code answer} (marked ok when the
     * task is known), and the expected column.
     */
    static void assertRow(String out, String section, String input, String answer, boolean known) {
        int at = out.indexOf("\n" + section + ": ");
        assertTrue(at >= 0, "no section '" + section + "' in:\n" + out);
        int end = out.indexOf("\n\n", at + 1);
        String prefix = String.format("  %-10s ", input);
        String row = out.substring(at, end < 0 ? out.length() : end).lines().filter(l -> l.startsWith(prefix))
                .findFirst().orElseThrow(() -> new AssertionError("no row for '" + input + "' under " + section
                        + ":\n" + out));
        String base = row.substring(prefix.length(), prefix.length() + 22).strip();
        assertEquals(String.format("  %-10s %-22s %-22s %-22s", input, base, answer + (known ? " ok" : ""),
                known ? answer : "-"), row, section + ", input " + input);
        assertNotEquals(answer, base, "the base model already gives the answer for " + input + ": the row shows"
                + " nothing about the adapter");
    }
}
