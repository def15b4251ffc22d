package ai.t2l.miniature;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The one input distribution shared by every task: lower-case words of 4–8 letters, uniform letters, with at least
 * one vowel and one consonant (so filters and counts are never empty or zero). Because it is the same for every
 * task, an input on its own says nothing about which task is wanted.
 *
 * <p>The split of a word is a function of the word alone (a stable hash), so no word used for training any task is
 * ever a validation or test word of any task.
 */
public final class Inputs {
    private Inputs() {}

    public static final int MIN_LENGTH = 4;
    public static final int MAX_LENGTH = 8;

    // 12 of 16 hash buckets train, 2 val, 2 test.
    public static Split splitOf(String word) {
        int bucket = (int) Long.remainderUnsigned(Seeds.mix(0x5eed, word), 16);
        return bucket < 12 ? Split.TRAIN : bucket < 14 ? Split.VAL : Split.TEST;
    }

    static boolean valid(String word) {
        if (word.length() < MIN_LENGTH || word.length() > MAX_LENGTH) {
            return false;
        }
        boolean vowel = false;
        boolean consonant = false;
        for (char c : word.toCharArray()) {
            if (c < 'a' || c > 'z') {
                return false;
            }
            if (Words.isVowel(c)) {
                vowel = true;
            } else {
                consonant = true;
            }
        }
        return vowel && consonant;
    }

    /** {@code n} distinct words of the given split, in sampling order, reproducible from {@code seed}. */
    static List<String> sample(SplittableRandom rng, Split split, int n) {
        Set<String> words = new LinkedHashSet<>();
        // The space holds hundreds of millions of words; the cap only guards against a broken predicate.
        for (long tries = 0; words.size() < n; tries++) {
            if (tries > 1000L * n + 10_000) {
                throw new IllegalStateException("could not draw " + n + " distinct " + split.id() + " words");
            }
            String w = draw(rng);
            if (valid(w) && splitOf(w) == split) {
                words.add(w);
            }
        }
        return new ArrayList<>(words);
    }

    private static String draw(SplittableRandom rng) {
        int len = MIN_LENGTH + rng.nextInt(MAX_LENGTH - MIN_LENGTH + 1);
        char[] cs = new char[len];
        for (int i = 0; i < len; i++) {
            cs[i] = (char) ('a' + rng.nextInt(26));
        }
        return new String(cs);
    }
}
