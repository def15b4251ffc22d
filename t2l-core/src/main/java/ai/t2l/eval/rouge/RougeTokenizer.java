package ai.t2l.eval.rouge;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * {@code rouge_score}'s default tokenizer (rouge/tokenize.py {@code tokenize}): lower-case, every run of
 * characters outside [a-z0-9] becomes one space, split on whitespace, words longer than 3 characters go through the
 * Porter stemmer when stemming is on, and empty or invalid tokens are dropped. Letters outside ASCII (é, ß, CJK)
 * are therefore separators, as in the reference's scores.
 */
public final class RougeTokenizer {
    private static final Pattern NON_ALPHANUMERIC = Pattern.compile("[^a-z0-9]+");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    private static final Pattern VALID = Pattern.compile("[a-z0-9]+");

    private RougeTokenizer() {}

    public static List<String> tokenize(String text, boolean stem) {
        // Locale.ROOT: Python's str.lower() is locale-independent
        String t = NON_ALPHANUMERIC.matcher(text.toLowerCase(Locale.ROOT)).replaceAll(" ");
        List<String> out = new ArrayList<>();
        for (String tok : SPACES.split(t)) {
            String s = stem && tok.length() > 3 ? PorterStemmer.stem(tok) : tok;
            if (VALID.matcher(s).matches()) {
                out.add(s);
            }
        }
        return out;
    }
}
