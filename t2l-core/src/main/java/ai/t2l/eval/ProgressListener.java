package ai.t2l.eval;

/** Told after every batch, so a progress bar can show how far a task is and the accuracy so far. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (condition, task, done, total, correct) -> {};

    void update(String condition, String task, int done, int total, int correct);
}
