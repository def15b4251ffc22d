package ai.t2l.train.data;

import ai.t2l.io.T2lException;
import ai.t2l.train.Rng;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain random sampler over the pooled training examples of the given tasks (the oracle LoRA's, spec §5.1):
 * a new permutation each epoch, consecutive batches of {@code batchSize}, the last smaller batch kept (PyTorch
 * DataLoader drop_last=False).
 */
public final class ShuffleSampler implements Sampler {
    private final int[] taskOf;
    private final int[] exampleOf;
    private final int batchSize;
    private final Rng rng;
    private int epoch = -1;
    private int[] order = new int[0];
    private int position;

    public ShuffleSampler(List<PreparedTask> tasks, int batchSize, Rng rng) {
        List<int[]> rows = new ArrayList<>();
        for (int t = 0; t < tasks.size(); t++) {
            for (int e = 0; e < tasks.get(t).train().size(); e++) {
                rows.add(new int[] {t, e});
            }
        }
        if (rows.isEmpty()) {
            throw new T2lException("no training examples");
        }
        taskOf = rows.stream().mapToInt(r -> r[0]).toArray();
        exampleOf = rows.stream().mapToInt(r -> r[1]).toArray();
        this.batchSize = batchSize;
        this.rng = rng;
    }

    @Override
    public List<Item> next() {
        if (epoch < 0 || position >= order.length) {
            epoch++;
            order = rng.permutation(taskOf.length);
            position = 0;
        }
        int end = Math.min(order.length, position + batchSize);
        List<Item> items = new ArrayList<>(end - position);
        for (int i = position; i < end; i++) {
            items.add(new Item(taskOf[order[i]], exampleOf[order[i]], -1));
        }
        position = end;
        return items;
    }

    @Override
    public int stepsPerEpoch() {
        return (taskOf.length + batchSize - 1) / batchSize;
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
