package ai.t2l.eval.bench;

/** The outcome of scoring one output: what was extracted from it, whether it is right, and why. */
public record Verdict(String extracted, boolean correct, String detail) {
    public static Verdict of(String extracted, boolean correct) {
        return new Verdict(extracted, correct, "");
    }
}
