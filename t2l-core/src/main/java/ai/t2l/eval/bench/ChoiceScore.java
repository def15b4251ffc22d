package ai.t2l.eval.bench;

import java.util.Locale;

/**
 * The reference's multiple-choice scoring (spec §8.2 "choice"): strip whitespace and the characters
 * {@code  :`'"(.)} from both ends, lower-case, then take the first of [a..z, 0..9, "10"] the string starts
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

    static String strip(String s) {
        int b = 0;
        int e = s.length();
        while (b < e && stripped(s.charAt(b))) {
            b++;
        }
        while (e > b && stripped(s.charAt(e - 1))) {
            e--;
        }
        return s.substring(b, e);
    }

    private static boolean stripped(char c) {
        return Character.isWhitespace(c) || STRIP.indexOf(c) >= 0;
    }
}
