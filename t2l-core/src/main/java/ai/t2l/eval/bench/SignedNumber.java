package ai.t2l.eval.bench;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** GSM8K fixed mode: the last number with its sign and thousands commas ("-1,450,000" reads -1450000). */
final class SignedNumber {
    private static final Pattern NUMBER = Pattern.compile("-?(?:\\d{1,3}(?:,\\d{3})+|\\d+)?(?:\\.\\d+)?");

    private SignedNumber() {}

    static String find(String text) {
        Matcher m = NUMBER.matcher(text);
        String last = null;
        while (m.find()) {
            String g = m.group();
            if (g.chars().anyMatch(Character::isDigit)) {
                last = g;
            }
        }
        return last == null ? null : normalise(last);
    }

    static String normalise(String n) {
        return n == null ? null : n.replace(",", "");
    }
}
