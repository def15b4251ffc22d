package ai.t2l.train.data;

import ai.t2l.io.T2lException;
import ai.t2l.train.Rng;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference's hierarchical sampler (spec §6.3): each epoch is a random permutation of the tasks cut into groups
 * of n, the incomplete last group dropped; each task of a group gives {@code pointsPerTask} examples drawn uniformly
 * with replacement from its training split, each with a description drawn uniformly (when the task has any).
 */
public final class HierarchicalSampler implements Sampler {
    private final int[] trainSizes;
    private final int[] descCounts;
    private final int tasksPerBatch;
    private final int pointsPerTask;
    private final ai.t2l.train.Rng rng;
    private final DescriptionSource source;
    private int epoch = -1;
    private int[] order = new int[0];
    private int position;

    public HierarchicalSampler(List<PreparedTask> tasks, int tasksPerBatch, int pointsPerTask, Rng rng) {
        this(tasks, tasksPerBatch, pointsPerTask, rng, DescriptionSource.TASK);
    }

    /** With {@link DescriptionSource#INPUT} each item's description is its own example (no draw). */
    public HierarchicalSampler(List<PreparedTask> tasks, int tasksPerBatch, int pointsPerTask, Rng rng,
            DescriptionSource source) {
        this.source = source;
        if (tasks.size() < tasksPerBatch) {
            throw new T2lException("hierarchical sampling needs at least tasks_per_batch=" + tasksPerBatch
                    + " tasks, found " + tasks.size());
        }
        this.trainSizes = new int[tasks.size()];
        this.descCounts = new int[tasks.size()];
        for (int t = 0; t < tasks.size(); t++) {
            trainSizes[t] = tasks.get(t).train().size();
            descCounts[t] = tasks.get(t).descriptions().size();
            if (trainSizes[t] == 0) {
                throw new T2lException("task " + tasks.get(t).name() + " has no training examples");
            }
        }
        this.tasksPerBatch = tasksPerBatch;
        this.pointsPerTask = pointsPerTask;
        this.rng = rng;
    }

    @Override
    public List<Item> next() {
        if (epoch < 0 || position + tasksPerBatch > order.length) {
            epoch++;
            order = rng.permutation(trainSizes.length);
            position = 0;
        }
        List<Item> items = new ArrayList<>(tasksPerBatch * pointsPerTask);
        for (int k = 0; k < tasksPerBatch; k++) {
            int t = order[position + k];
            for (int p = 0; p < pointsPerTask; p++) {
                int ex = rng.nextInt(trainSizes[t]);
                int desc = source == DescriptionSource.INPUT ? ex : descCounts[t] > 0 ? rng.nextInt(descCounts[t]) : -1;
                items.add(new Item(t, ex, desc));
            }
        }
        position += tasksPerBatch;
        return items;
    }

    @Override
    public int stepsPerEpoch() {
        return trainSizes.length / tasksPerBatch;
    }

    @Override
    public State state() {
        return new State(rng.state(), epoch, order.clone(), position);
    }

    @Override
    public void restore(State s) {
        rng.restore(s.rng());
        epoch = s.epoch();
        order = s.order().clone();
        position = s.position();
    }
}
