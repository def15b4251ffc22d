package ai.t2l.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Issue 10 item 15: colour and cursor codes only on a terminal that can take them. */
class TerminalTest {
    private static String draw(Map<String, String> env, boolean console) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (ProgressBar bar = Terminal.bar("work", 10, err, env, console).build()) {
            bar.stepTo(10);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "console={0} TERM={1} NO_COLOR={2}")
    @CsvSource({
        // console, TERM, NO_COLOR, colour codes, cursor return
        "false, xterm, ,  false, false", // a file or pipe
        "true,  dumb,  ,  false, false",
        "true,  xterm, 1, false, true", // a terminal that asked for no colour still redraws in place
        "true,  xterm, ,  true,  true",
    })
    void codesOnlyWhereTheyRender(boolean console, String term, String noColor, boolean colour, boolean cursor) {
        Map<String, String> env = noColor == null ? Map.of("TERM", term) : Map.of("TERM", term, "NO_COLOR", noColor);
        String out = draw(env, console);
        assertTrue(out.contains("work"), out);
        assertEquals(colour, out.contains("\u001b"), out);
        assertEquals(cursor, out.contains("\r"), out);
        if (!cursor) {
            assertTrue(out.endsWith("\n") && out.contains("10/10"), "one whole line with the final state: " + out);
        }
    }

    @ParameterizedTest
    @CsvSource({"'\u001b[33m│██│\u001b[0m 4/4', │██│ 4/4", "'\rwork 50%', work 50%"})
    void plainLinesStripControlCodes(String in, String want) {
        assertEquals(want, Terminal.PlainLines.clean(in));
        assertFalse(Terminal.PlainLines.clean(in).contains("\u001b"));
    }
}
