package ai.t2l.eval.bench;

import java.util.Locale;

/**
 * BoolQ's flexible true/false reading (spec §8.2 "bool-flex"): the first of these substrings found in the
 * lower-cased output decides. Copied with its quirks: any "no" (as in "not" or "know") reads False, "1"/"0"
 * anywhere win over words, and "invalid" reads True because "valid" is tested first.
 */
public final class BoolFlex {
    private static final String[] KEYS = {"1", "0", "yes", "no", "true", "false", "positive", "negative", "valid", "invalid"};
    private static final boolean[] VALUES = {true, false, true, false, true, false, true, false, true, false};

    private BoolFlex() {}

    /** The value read, or null when none of the keys occurs. */
    public static Boolean value(String output) {
        String s = output.toLowerCase(Locale.ROOT);
        for (int i = 0; i < KEYS.length; i++) {
            if (s.contains(KEYS[i])) {
                return VALUES[i];
            }
        }
        return null;
    }

    /** {@code gold} is Python's {@code str(bool)}: "True" or "False". */
    public static Verdict score(String output, String gold) {
        Boolean got = value(output);
        boolean want = Boolean.parseBoolean(gold);
        return Verdict.of(got == null ? null : (got ? "True" : "False"), got != null && got == want);
    }
}
