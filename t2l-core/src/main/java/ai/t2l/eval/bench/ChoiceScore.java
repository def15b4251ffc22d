package ai.t2l.eval.bench;

import ai.t2l.tokenizer.PyStrings;
import java.util.Locale;

/**
 * The reference's multiple-choice scoring (spec §8.2 "choice";
 * {@code str(txt).strip().strip(":`'\"(.) ").lower()} in hm/utils/eval_tasks.py {@code get_choice}): Python's
 * whitespace strip first, then the characters {@code :`'"(.)} and the space only, so a newline or tab behind a
 * parenthesis is kept ("(\nB" does not read as "b"); lower-case, then take the first of [a..z, 0..9, "10"] the string starts
 * with. Output and gold are right when the values are equal. Copied as is: "Answer: B" reads as "a", and
 * "10" is unreachable behind "1".
 */
public final class ChoiceScore {
    private static final String STRIP = " :`'\"(.)";

    private ChoiceScore() {}

    /** The choice value, or null when the text starts with none of the candidates. */
    public static String value(String text) {
        String s = strip(text).toLowerCase(Locale.ROOT);
        if (s.isEmpty()) {
            return null;
        }
        char c = s.charAt(0);
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            return String.valueOf(c);
        }
        return null;
    }

    public static Verdict score(String output, String gold) {
        String got = value(output);
        String want = value(gold);
        return Verdict.of(got, got != null && got.equals(want));
    }

    /** The two Python calls in order: {@code .strip()} (Python whitespace), then {@code .strip(STRIP)}. */
    static String strip(String text) {
        String s = PyStrings.strip(text);
        int b = 0;
        int e = s.length();
        while (b < e && STRIP.indexOf(s.charAt(b)) >= 0) {
            b++;
        }
        while (e > b && STRIP.indexOf(s.charAt(e - 1)) >= 0) {
            e--;
        }
        return s.substring(b, e);
    }
}
