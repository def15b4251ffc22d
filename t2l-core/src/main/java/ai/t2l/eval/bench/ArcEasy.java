package ai.t2l.eval.bench;

/** ARC-Easy test, 2,376 questions (HF allenai/ai2_arc ARC-Easy test). */
public final class ArcEasy extends Arc {
    public ArcEasy() {
        super("arc_easy", "ArcE", "arc_easy/ARC-Easy-Test.jsonl");
    }
}
