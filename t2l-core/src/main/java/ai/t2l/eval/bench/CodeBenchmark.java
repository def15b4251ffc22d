package ai.t2l.eval.bench;

/**
 * A benchmark scored by running code (pass@1, spec §8.2 "code"): the model's text is cut at the first
 * "```" and turned into a solution; the sandbox runs it with {@link CodeTask#test()}.
 */
public interface CodeBenchmark extends Benchmark {
    /** The program text the sandbox receives before the tests (MBPP: before sanitisation). */
    String solution(Item item, String output);

    @Override
    default boolean isCode() {
        return true;
    }

    @Override
    default boolean iclAnswerPrefill() {
        return false;
    }

    @Override
    default Verdict score(Item item, String output) {
        throw new UnsupportedOperationException(name() + " is scored in the code sandbox (CodeScorer)");
    }

    /** The completion up to the first "```" (the reference's cut; the rest is the closing fence and chatter). */
    static String cutAtFence(String output) {
        int fence = output.indexOf("```");
        return fence < 0 ? output : output.substring(0, fence);
    }
}
