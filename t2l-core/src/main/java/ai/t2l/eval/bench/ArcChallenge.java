package ai.t2l.eval.bench;

/** ARC-Challenge test, 1,172 questions (HF allenai/ai2_arc ARC-Challenge test). */
public final class ArcChallenge extends Arc {
    public ArcChallenge() {
        super("arc_challenge", "ArcC", "arc_challenge/ARC-Challenge-Test.jsonl");
    }
}
