package ai.t2l.eval.bench;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GSM8K's answer extraction (spec §8.2 "gsm8k"): the last match of {@code \d*\.?\d+}, so no commas and no
 * signs: "1,450,000" reads 000 and "-3" reads 3, for the gold solution and the prediction alike.
 */
public final class LastNumber {
    private static final Pattern NUMBER = Pattern.compile("\\d*\\.?\\d+");

    private LastNumber() {}

    /** The last number in {@code text} as written, or null when there is none. */
    public static String find(String text) {
        Matcher m = NUMBER.matcher(text);
        String last = null;
        while (m.find()) {
            last = m.group();
        }
        return last;
    }
}
