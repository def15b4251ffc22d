package ai.t2l.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The reference reads a choice with {@code str(txt).strip().strip(":`'\"(.) ").lower()} (hm/utils/eval_tasks.py
 * {@code get_choice}): Python whitespace first, then the listed characters and the space only. Expected values
 * were computed with CPython 3 on the same strings (issue 12 item 8).
 */
class ChoiceScoreTest {
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', nullValues = "NONE", value = {
            "(\\nB|NONE", // newline behind '(' survives the second strip: no choice
            ":\\tD|NONE",
            "\\u00a0B|b", // Python's strip() removes the no-break space, Java's isWhitespace does not
            "\\u2003(a)|a",
            " \\n(B).\\n|b",
            "\\t\"C\"|c",
            "B\\n.|b"})
    void choiceIsReadAsPythonsTwoStripCallsReadIt(String escaped, String expected) {
        assertEquals(expected, ChoiceScore.value(unescape(escaped)), "choice of " + escaped);
    }

    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && s.charAt(i + 1) == 'n') {
                b.append('\n');
                i++;
            } else if (c == '\\' && s.charAt(i + 1) == 't') {
                b.append('\t');
                i++;
            } else if (c == '\\' && s.charAt(i + 1) == 'u') {
                b.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
                i += 5;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
