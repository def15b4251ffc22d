package ai.t2l.eval.rouge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ROUGE-1 / ROUGE-L against values worked out by hand (token lists, LCS, P, R, F written in the comments), and the
 * Porter stemmer against the published algorithm's own examples (Porter 1980) and NLTK's documented departures.
 */
class RougeTest {
    private static final double EPS = 1e-12;

    @Test
    void lcsOfAWordDroppedFromTheMiddle() {
        // target: the cat sat on the mat (6), prediction: the cat on the mat (5); LCS = 5
        // P = 5/5, R = 5/6, F = 2 * 1 * 5/6 / (1 + 5/6) = 10/11
        Rouge.Scores s = Rouge.score("The cat sat on the mat.", "the cat on the mat");
        assertEquals(1.0, s.rougeL().precision(), EPS);
        assertEquals(5.0 / 6, s.rougeL().recall(), EPS);
        assertEquals(10.0 / 11, s.rougeL().fmeasure(), EPS);
    }

    @Test
    void lcsIsASubsequenceNotASubstring() {
        // a b c d e vs b a d c e: LCS length 3 (e.g. a c e); P = R = 3/5, F = 3/5; every unigram matches
        Rouge.Scores s = Rouge.score("a b c d e", "b a d c e");
        assertEquals(0.6, s.rougeL().fmeasure(), EPS);
        assertEquals(1.0, s.rouge1().fmeasure(), EPS);
        // order reversed: one, two vs two one: LCS 1, P = R = 1/2; ROUGE-1 F = 1
        s = Rouge.score("one, two", "two one");
        assertEquals(0.5, s.rougeL().fmeasure(), EPS);
        assertEquals(1.0, s.rouge1().fmeasure(), EPS);
    }

    @Test
    void stemmingMakesInflectionsMatch() {
        // target Running dogs -> [run, dog]; prediction the dog runs -> [the, dog (3 letters: not stemmed), run]
        // LCS 1: P = 1/3, R = 1/2, F = 2 (1/6) / (5/6) = 2/5; ROUGE-1 overlap 2: P = 2/3, R = 1, F = 4/5
        Rouge.Scores s = Rouge.score("Running dogs", "the dog runs");
        assertEquals(1.0 / 3, s.rougeL().precision(), EPS);
        assertEquals(0.5, s.rougeL().recall(), EPS);
        assertEquals(0.4, s.rougeL().fmeasure(), EPS);
        assertEquals(0.8, s.rouge1().fmeasure(), EPS);
        // without the stemmer nothing but "dog"/"dogs"... none match: [running, dogs] vs [the, dog, runs]
        assertEquals(0.0, Rouge.score("Running dogs", "the dog runs", false).rougeL().fmeasure(), EPS);
    }

    @Test
    void caseAndPunctuationAreIgnoredAndEmptySidesScoreZero() {
        assertEquals(1.0, Rouge.score("Yes.", " yes").rougeL().fmeasure(), EPS);
        assertEquals(0.0, Rouge.score("yes", "").rougeL().fmeasure(), EPS);
        assertEquals(0.0, Rouge.score("yes", "!!! ...").rougeL().fmeasure(), EPS);
        assertEquals(0.0, Rouge.score("", "yes").rouge1().fmeasure(), EPS);
        // letters outside a-z0-9 separate tokens: café -> [caf]; cafe stays cafe (m = 1 and *o keep the e)
        assertEquals(0.0, Rouge.score("cafe", "café").rougeL().fmeasure(), EPS);
        assertEquals(List.of("caf", "au", "lait"), RougeTokenizer.tokenize("Café-au-LAIT", true));
    }

    @Test
    void porterStemmerMatchesThePublishedExamples() {
        // Porter (1980), steps 1a-5 examples
        String[][] cases = {
            {"caresses", "caress"}, {"ponies", "poni"}, {"caress", "caress"}, {"cats", "cat"}, {"feed", "feed"},
            {"agreed", "agre"}, {"plastered", "plaster"}, {"bled", "bled"}, {"motoring", "motor"}, {"sing", "sing"},
            {"conflated", "conflat"}, {"troubled", "troubl"}, {"sized", "size"}, {"hopping", "hop"},
            {"tanned", "tan"}, {"falling", "fall"}, {"hissing", "hiss"}, {"fizzed", "fizz"}, {"failing", "fail"},
            {"filing", "file"}, {"happy", "happi"}, {"relational", "relat"}, {"generalizations", "gener"},
            {"running", "run"},
        };
        for (String[] c : cases) {
            assertEquals(c[1], PorterStemmer.stem(c[0]), c[0]);
        }
    }

    @Test
    void porterStemmerHasNltksDepartures() {
        // NLTK_EXTENSIONS (the mode rouge_score uses): irregular forms, 4-letter ies/ied, y -> i after a consonant
        String[][] cases = {
            {"dying", "die"}, {"lying", "lie"}, {"news", "news"}, {"innings", "inning"}, {"dies", "die"},
            {"flies", "fli"}, {"died", "die"}, {"spied", "spi"}, {"enjoy", "enjoy"}, {"by", "by"},
            {"proceed", "proceed"},
        };
        for (String[] c : cases) {
            assertEquals(c[1], PorterStemmer.stem(c[0]), c[0]);
        }
    }
}
