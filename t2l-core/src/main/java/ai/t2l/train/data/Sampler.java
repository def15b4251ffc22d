package ai.t2l.train.data;

import java.util.List;

/** Chooses the rows of each training step; its whole position is a {@link State} saved in checkpoints. */
public interface Sampler {
    /** One row: task index, example index in that task's training split, description index (−1: none). */
    record Item(int task, int example, int description) {}

    /** The sampler's position: its RNG, epoch, the epoch's order and how far it got. */
    record State(long rng, int epoch, int[] order, int position) {}

    List<Item> next();

    /** Steps in one pass (epoch) over the data. */
    int stepsPerEpoch();

    State state();

    void restore(State s);
}
