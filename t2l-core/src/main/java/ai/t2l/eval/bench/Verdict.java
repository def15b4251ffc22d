package ai.t2l.eval.bench;

/**
 * The outcome of scoring one output: what was extracted from it, whether it is right, why, and for a graded metric
 * its value in [0, 1] (ROUGE-L F of an SNI task; null for the right/wrong benchmarks).
 */
public record Verdict(String extracted, boolean correct, String detail, Double value) {
    public Verdict(String extracted, boolean correct, String detail) {
        this(extracted, correct, detail, null);
    }

    public static Verdict of(String extracted, boolean correct) {
        return new Verdict(extracted, correct, "");
    }

    /** What the item adds to the task's score: the graded value, else 1 when correct and 0 when not. */
    public double points() {
        return value != null ? value : correct ? 1.0 : 0.0;
    }

    /**
     * The task score in percent, the paper's unit: accuracy, or the mean graded value (the reference reports the
     * mean per-example {@code rougeL_fmeasure}, fishfarm/tasks/rouge.py). Summed in item order, so identical
     * verdicts give identical scores; for right/wrong verdicts it is exactly {@code 100.0 * correct / n}.
     */
    public static double percent(java.util.List<Verdict> verdicts) {
        if (verdicts.isEmpty()) {
            return 0;
        }
        double sum = 0;
        for (Verdict v : verdicts) {
            sum += v.points();
        }
        return 100.0 * sum / verdicts.size();
    }
}
