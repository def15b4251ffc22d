package ai.t2l.eval.rouge;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * ROUGE-1 and ROUGE-L as the reference scores its lots-of-LoRAs (SNI) tasks: {@code rouge_score}'s
 * {@code RougeScorer(["rouge1", "rougeL"], use_stemmer=True)} (fishfarm/tasks/rouge.py {@code RougeTask} with
 * {@code RougeScorerConfig(use_stemmer=True)} from hm/vllm_eval.py {@code eval_rouge}, SakanaAI/text-to-lora at
 * 8ba7749). {@code score(target, prediction)}: the gold answer is the target, the model output the prediction.
 * ROUGE-L (rouge_scorer.py {@code _score_lcs}): LCS of the token lists, precision = LCS / |prediction|,
 * recall = LCS / |target|, F = 2PR / (P + R); all zero when either side has no tokens. ROUGE-1
 * ({@code _score_ngrams}): clipped unigram overlap over max(count, 1). The reference reports the mean per-example
 * {@code rougeL_fmeasure}.
 */
public final class Rouge {
    /** One ROUGE type's precision, recall and F-measure, each in [0, 1]. */
    public record Score(double precision, double recall, double fmeasure) {
        static Score of(double p, double r) {
            return new Score(p, r, p + r > 0 ? 2 * p * r / (p + r) : 0.0); // rouge_score scoring.fmeasure
        }
    }

    /** Both types for one pair. */
    public record Scores(Score rouge1, Score rougeL) {}

    private Rouge() {}

    /** The reference's configuration: default tokenizer with the Porter stemmer. */
    public static Scores score(String target, String prediction) {
        return score(target, prediction, true);
    }

    public static Scores score(String target, String prediction, boolean stem) {
        List<String> t = RougeTokenizer.tokenize(target, stem);
        List<String> p = RougeTokenizer.tokenize(prediction, stem);
        return new Scores(unigrams(t, p), lcs(t, p));
    }

    static Score lcs(List<String> target, List<String> prediction) {
        if (target.isEmpty() || prediction.isEmpty()) {
            return new Score(0, 0, 0);
        }
        int n = lcsLength(target, prediction);
        return Score.of((double) n / prediction.size(), (double) n / target.size());
    }

    /** Length of the longest common subsequence (dynamic programming, two rows). */
    static int lcsLength(List<String> a, List<String> b) {
        int[] prev = new int[b.size() + 1];
        int[] cur = new int[b.size() + 1];
        for (int i = 1; i <= a.size(); i++) {
            for (int j = 1; j <= b.size(); j++) {
                cur[j] = a.get(i - 1).equals(b.get(j - 1)) ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
            }
            int[] swap = prev;
            prev = cur;
            cur = swap;
        }
        return prev[b.size()];
    }

    static Score unigrams(List<String> target, List<String> prediction) {
        Map<String, Integer> t = counts(target);
        Map<String, Integer> p = counts(prediction);
        int overlap = 0;
        for (Map.Entry<String, Integer> e : t.entrySet()) {
            overlap += Math.min(e.getValue(), p.getOrDefault(e.getKey(), 0));
        }
        return Score.of((double) overlap / Math.max(prediction.size(), 1), (double) overlap / Math.max(target.size(), 1));
    }

    private static Map<String, Integer> counts(List<String> tokens) {
        Map<String, Integer> m = new HashMap<>();
        tokens.forEach(x -> m.merge(x, 1, Integer::sum));
        return m;
    }
}
