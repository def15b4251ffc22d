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
                    "Move every letter one step forward in the alphabet.");
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, out);
        assertTrue(out.contains("held-out task swap_parens") && out.contains("your description"), out);
        assertTrue(out.contains("adapter generated in"), out);

        // Issue 13.5: the exact answers, not substrings. The expected answers are worked out by hand from the task
        // definitions (docs/MINIATURE-WORLD.md) for the demo's test words (seed 1): a Caesar shift by one letter
        // (z wraps to a) in double quotes; the last two letters in square brackets; adjacent letters swapped
        // pairwise, an odd last letter left in place, in round brackets; none of the three families carries a cue
        // in its input, so only the description says what is wanted. For the user's description, the shift by one,
        // plain (no expected column there). That description is a person's words for a held-out task
        // (shift-1_plain); on miniature v4 its adapter shifted "brix" right and "dzjqtop" only in part, so the second
        // row is checked for the adapter's effect only (how often hand-written descriptions work: docs/MINIATURE.md,
        // "Hand-written descriptions"). Held-out tasks are solved in part (sft-L: 19% of held-out answers,
        // miniature v6), so for swap_parens each row must show the hand-worked answer in the expected column and
        // mark the adapted answer ok exactly when it equals it, and at least one of the two rows must be right (on
        // v5 "atdw" got an extra bracket, on v6 square ones).
        assertRow(out, "seen task shift-1_quotes", "brix", "\"csjy\"", true);
        assertRow(out, "seen task shift-1_quotes", "dzjqtop", "\"eakrupq\"", true);
        assertRow(out, "seen task last-2_brackets", "piueti", "[ti]", true);
        assertRow(out, "seen task last-2_brackets", "zacpdsva", "[va]", true);
        boolean first = assertMarkedRow(out, "held-out task swap_parens", "tlifm", "(ltfim)");
        boolean second = assertMarkedRow(out, "held-out task swap_parens", "atdw", "(tawd)");
        assertTrue(first || second, "the adapter solves neither row of the held-out task:\n" + out);
        assertRow(out, "your description", "brix", "csjy", false);
        String[] other = answers(out, "your description", "dzjqtop");
        assertNotEquals(other[0], other[1], "the adapter changes the base model's answer for dzjqtop");
    }

    /** The row of {@code input} under {@code section}, and the format of that section's input column. */
    private record Row(String col, String line) {
        static Row of(String out, String section, String input) {
            int at = out.indexOf("\n" + section + ": ");
            assertTrue(at >= 0, "no section '" + section + "' in:\n" + out);
            int end = out.indexOf("\n\n", at + 1);
            String text = out.substring(at, end < 0 ? out.length() : end);
            // the input column is as wide as the section's longest prompt: read it from the header
            String header = text.lines().filter(l -> l.startsWith("  input ")).findFirst().orElseThrow();
            String col = "  %-" + (header.indexOf("base model") - 3) + "s ";
            String prefix = String.format(col, input);
            String line = text.lines().filter(l -> l.startsWith(prefix))
                    .findFirst().orElseThrow(() -> new AssertionError("no row for '" + input + "' under " + section
                            + ":\n" + out));
            return new Row(col, line);
        }

        /** The text of the 22-character column {@code i} after the input (0: base model, 1: with T2L adapter). */
        String column(String input, int i) {
            int from = String.format(col, input).length() + 23 * i;
            return line.substring(from, from + 22).strip();
        }
    }

    /** The base model's and the adapted answer in the row of {@code input} under {@code section}. */
    static String[] answers(String out, String section, String input) {
        Row r = Row.of(out, section, input);
        return new String[] {r.column(input, 0), r.column(input, 1)};
    }

    /**
     * The row of {@code input} under {@code section} reads exactly: input, the base model's answer (not the right
     * one), the adapted answer marked "ok" if it equals {@code expected} and "x" otherwise, and {@code expected}.
     * Returns whether the adapted answer is right.
     */
    static boolean assertMarkedRow(String out, String section, String input, String expected) {
        Row r = Row.of(out, section, input);
        String base = r.column(input, 0);
        String adapted = r.column(input, 1).replaceFirst(" (ok|x)$", "");
        boolean right = adapted.equals(expected);
        assertEquals(String.format(r.col() + "%-22s %-22s %-22s", input, base, adapted + (right ? " ok" : " x"),
                expected), r.line(), section + ", input " + input);
        assertNotEquals(expected, base, "the base model already gives the answer for " + input);
        return right;
    }

    /**
     * In the section that starts with {@code section}, the row of {@code input} must read exactly: input, the base
     * model's answer (whatever it is, but not the right one), the adapted answer = {@code answer} (marked ok when the
     * task is known), and the expected column.
     */
    static void assertRow(String out, String section, String input, String answer, boolean known) {
        if (known) {
            assertTrue(assertMarkedRow(out, section, input, answer), section + ", input " + input + ": not " + answer);
            return;
        }
        Row r = Row.of(out, section, input);
        String base = r.column(input, 0);
        assertEquals(String.format(r.col() + "%-22s %-22s %-22s", input, base, answer, "-"), r.line(),
                section + ", input " + input);
        assertNotEquals(answer, base, "the base model already gives the answer for " + input + ": the row shows"
                + " nothing about the adapter");
    }
}
