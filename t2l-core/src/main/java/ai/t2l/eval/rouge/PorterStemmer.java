package ai.t2l.eval.rouge;

import java.util.Map;
import java.util.function.Predicate;

/**
 * The Porter stemmer exactly as NLTK's {@code nltk.stem.porter.PorterStemmer()} in its default
 * {@code NLTK_EXTENSIONS} mode (NLTK 3.2.2 and later), which is what {@code rouge_score}'s
 * {@code DefaultTokenizer(use_stemmer=True)} calls and so what the reference's ROUGE scores of lots-of-LoRAs
 * tasks went through ({@code RougeScorerConfig(use_stemmer=True)}, hm/vllm_eval.py {@code eval_rouge} at 8ba7749).
 * Porter, "An algorithm for suffix stripping", Program 14.3 (1980), with NLTK's departures marked below: the
 * irregular-forms table, words of length ≤ 2 unchanged, 'ies'/'ied' on 4-letter words, the y→i condition,
 * 'alli' first, 'bli'→'ble', 'fulli', 'logi', and the 2-letter *o case. Input is lower-case a-z0-9 (what the
 * ROUGE tokenizer hands over).
 */
public final class PorterStemmer {
    /** NLTK's irregular forms: the word maps straight to its paradigm and skips the steps. */
    private static final Map<String, String> POOL = Map.ofEntries(
            Map.entry("sky", "sky"), Map.entry("skies", "sky"), Map.entry("dying", "die"), Map.entry("lying", "lie"),
            Map.entry("tying", "tie"), Map.entry("news", "news"), Map.entry("innings", "inning"),
            Map.entry("inning", "inning"), Map.entry("outings", "outing"), Map.entry("outing", "outing"),
            Map.entry("cannings", "canning"), Map.entry("canning", "canning"), Map.entry("howe", "howe"),
            Map.entry("proceed", "proceed"), Map.entry("exceed", "exceed"), Map.entry("succeed", "succeed"));

    private record Rule(String suffix, String replacement, Predicate<String> condition) {}

    private PorterStemmer() {}

    public static String stem(String word) {
        if (POOL.containsKey(word)) {
            return POOL.get(word);
        }
        if (word.length() <= 2) {
            return word; // NLTK: strings of length 1 or 2 are not stemmed
        }
        String s = step1a(word);
        s = step1b(s);
        s = step1c(s);
        s = step2(s);
        s = step3(s);
        s = step4(s);
        s = step5a(s);
        return step5b(s);
    }

    static boolean isConsonant(String w, int i) {
        char c = w.charAt(i);
        if (c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u') {
            return false;
        }
        if (c == 'y') {
            return i == 0 || !isConsonant(w, i - 1);
        }
        return true;
    }

    /** m: the number of "vc" in the word's consonant/vowel pattern. */
    static int measure(String stem) {
        int m = 0;
        for (int i = 0; i + 1 < stem.length(); i++) {
            if (!isConsonant(stem, i) && isConsonant(stem, i + 1)) {
                m++;
            }
        }
        return m;
    }

    private static boolean positive(String stem) {
        return measure(stem) > 0;
    }

    private static boolean containsVowel(String stem) {
        for (int i = 0; i < stem.length(); i++) {
            if (!isConsonant(stem, i)) {
                return true;
            }
        }
        return false;
    }

    private static boolean endsDoubleConsonant(String w) {
        int n = w.length();
        return n >= 2 && w.charAt(n - 1) == w.charAt(n - 2) && isConsonant(w, n - 1);
    }

    /** *o: ends consonant-vowel-consonant, the last not w, x or y; NLTK also counts a 2-letter vowel-consonant. */
    private static boolean endsCvc(String w) {
        int n = w.length();
        boolean cvc = n >= 3 && isConsonant(w, n - 3) && !isConsonant(w, n - 2) && isConsonant(w, n - 1)
                && "wxy".indexOf(w.charAt(n - 1)) < 0;
        return cvc || (n == 2 && !isConsonant(w, 0) && isConsonant(w, 1));
    }

    /**
     * NLTK's {@code _apply_rule_list}: the first rule whose suffix matches decides; when its condition fails the
     * word stays as it is (no later rule is tried). Suffix "*d" means "ends in a double consonant".
     */
    private static String apply(String word, Rule... rules) {
        for (Rule r : rules) {
            if (r.suffix.equals("*d") && endsDoubleConsonant(word)) {
                String stem = word.substring(0, word.length() - 2);
                return r.condition == null || r.condition.test(stem) ? stem + r.replacement : word;
            }
            if (word.endsWith(r.suffix)) {
                String stem = word.substring(0, word.length() - r.suffix.length());
                return r.condition == null || r.condition.test(stem) ? stem + r.replacement : word;
            }
        }
        return word;
    }

    private static String cut(String word, String suffix) {
        return word.substring(0, word.length() - suffix.length());
    }

    private static String step1a(String w) {
        if (w.endsWith("ies") && w.length() == 4) {
            return cut(w, "ies") + "ie"; // NLTK: 'dies' -> 'die' but 'flies' -> 'fli'
        }
        return apply(w, new Rule("sses", "ss", null), new Rule("ies", "i", null), new Rule("ss", "ss", null),
                new Rule("s", "", null));
    }

    private static String step1b(String w) {
        if (w.endsWith("ied")) {
            return cut(w, "ied") + (w.length() == 4 ? "ie" : "i"); // NLTK: 'died' -> 'die', 'spied' -> 'spi'
        }
        if (w.endsWith("eed")) {
            String stem = cut(w, "eed");
            return measure(stem) > 0 ? stem + "ee" : w;
        }
        String inter = null;
        for (String suffix : new String[] {"ed", "ing"}) {
            if (w.endsWith(suffix) && containsVowel(cut(w, suffix))) {
                inter = cut(w, suffix);
                break;
            }
        }
        if (inter == null) {
            return w;
        }
        char last = inter.charAt(inter.length() - 1);
        return apply(inter, new Rule("at", "ate", null), new Rule("bl", "ble", null), new Rule("iz", "ize", null),
                new Rule("*d", String.valueOf(last), stem -> "lsz".indexOf(last) < 0),
                new Rule("", "e", stem -> measure(stem) == 1 && endsCvc(stem)));
    }

    /** NLTK: y -> i only after a consonant that is not the whole stem. */
    private static String step1c(String w) {
        return apply(w, new Rule("y", "i", stem -> stem.length() > 1 && isConsonant(stem, stem.length() - 1)));
    }

    private static String step2(String w) {
        if (w.endsWith("alli") && positive(cut(w, "alli"))) {
            return step2(cut(w, "alli") + "al"); // NLTK applies ALLI -> AL first, then step 2 again
        }
        Predicate<String> p = PorterStemmer::positive;
        return apply(w, new Rule("ational", "ate", p), new Rule("tional", "tion", p), new Rule("enci", "ence", p),
                new Rule("anci", "ance", p), new Rule("izer", "ize", p), new Rule("bli", "ble", p),
                new Rule("alli", "al", p), new Rule("entli", "ent", p), new Rule("eli", "e", p),
                new Rule("ousli", "ous", p), new Rule("ization", "ize", p), new Rule("ation", "ate", p),
                new Rule("ator", "ate", p), new Rule("alism", "al", p), new Rule("iveness", "ive", p),
                new Rule("fulness", "ful", p), new Rule("ousness", "ous", p), new Rule("aliti", "al", p),
                new Rule("iviti", "ive", p), new Rule("biliti", "ble", p), new Rule("fulli", "ful", p),
                // the 'l' of 'logi' stays with the stem (Barry Wilkins): the measure is of word[:-3]
                new Rule("logi", "log", stem -> positive(w.substring(0, w.length() - 3))));
    }

    private static String step3(String w) {
        Predicate<String> p = PorterStemmer::positive;
        return apply(w, new Rule("icate", "ic", p), new Rule("ative", "", p), new Rule("alize", "al", p),
                new Rule("iciti", "ic", p), new Rule("ical", "ic", p), new Rule("ful", "", p), new Rule("ness", "", p));
    }

    private static String step4(String w) {
        Predicate<String> gt1 = stem -> measure(stem) > 1;
        return apply(w, new Rule("al", "", gt1), new Rule("ance", "", gt1), new Rule("ence", "", gt1),
                new Rule("er", "", gt1), new Rule("ic", "", gt1), new Rule("able", "", gt1), new Rule("ible", "", gt1),
                new Rule("ant", "", gt1), new Rule("ement", "", gt1), new Rule("ment", "", gt1),
                new Rule("ent", "", gt1),
                new Rule("ion", "", stem -> measure(stem) > 1 && "st".indexOf(stem.charAt(stem.length() - 1)) >= 0),
                new Rule("ou", "", gt1), new Rule("ism", "", gt1), new Rule("ate", "", gt1), new Rule("iti", "", gt1),
                new Rule("ous", "", gt1), new Rule("ive", "", gt1), new Rule("ize", "", gt1));
    }

    private static String step5a(String w) {
        if (w.endsWith("e")) {
            String stem = cut(w, "e");
            int m = measure(stem);
            if (m > 1 || (m == 1 && !endsCvc(stem))) {
                return stem;
            }
        }
        return w;
    }

    private static String step5b(String w) {
        return apply(w, new Rule("ll", "l", stem -> measure(w.substring(0, w.length() - 1)) > 1));
    }
}
