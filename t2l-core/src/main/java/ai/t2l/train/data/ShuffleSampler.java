package ai.t2l.train.data;

import ai.t2l.io.T2lException;
import ai.t2l.train.Rng;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain random sampler over the pooled training examples of the given tasks (the oracle LoRA's, spec §5.1):
 * a new permutation each epoch, consecutive batches of {@code batchSize}, the last smaller batch kept (PyTorch
 * DataLoader drop_last=False).
 * <p>
 * {@link #byLength} groups rows of similar length (our addition, for the miniature's base model, whose rows range
 * from 26 to 260 tokens): each run of {@code poolBatches × batchSize} rows of the epoch's permutation is sorted by
 * length and cut into batches, which are then put in a random order. Every row is still seen once per epoch; a batch
 * is padded to its own longest row (spec §6.3), so sorting halves the padded tokens of those rows.
 */
public final class ShuffleSampler implements Sampler {
    private final int[] taskOf;
    private final int[] exampleOf;
    private final int batchSize;
    private final Rng rng;
    private final int[] lengthOf;
    private final int poolBatches;
    private int epoch = -1;
    private int[] order = new int[0];
    private int position;

    public ShuffleSampler(List<PreparedTask> tasks, int batchSize, Rng rng) {
        this(tasks, batchSize, rng, 1);
    }

    /** Batches of rows of similar length, drawn from pools of {@code poolBatches} batches (1: plain shuffling). */
    public static ShuffleSampler byLength(List<PreparedTask> tasks, int batchSize, Rng rng, int poolBatches) {
        if (poolBatches < 1) {
            throw new IllegalArgumentException("poolBatches must be at least 1, got " + poolBatches);
        }
        return new ShuffleSampler(tasks, batchSize, rng, poolBatches);
    }

    private ShuffleSampler(List<PreparedTask> tasks, int batchSize, Rng rng, int poolBatches) {
        List<int[]> rows = new ArrayList<>();
        for (int t = 0; t < tasks.size(); t++) {
            for (int e = 0; e < tasks.get(t).train().size(); e++) {
                rows.add(new int[] {t, e, tasks.get(t).train().get(e).length()});
            }
        }
        if (rows.isEmpty()) {
            throw new T2lException("no training examples");
        }
        taskOf = rows.stream().mapToInt(r -> r[0]).toArray();
        exampleOf = rows.stream().mapToInt(r -> r[1]).toArray();
        lengthOf = rows.stream().mapToInt(r -> r[2]).toArray();
        this.batchSize = batchSize;
        this.rng = rng;
        this.poolBatches = poolBatches;
    }

    @Override
    public List<Item> next() {
        if (epoch < 0 || position >= order.length) {
            epoch++;
            order = rng.permutation(taskOf.length);
            if (poolBatches > 1) {
                order = groupedByLength(order);
            }
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

    /**
     * Each pool of the permutation sorted by length (ties keep their shuffled order) and cut into batches; the
     * batches of a pool in random order, so that long and short batches alternate rather than rising within a pool.
     * The result is still a permutation, which is all that {@link #state()} needs to save.
     */
    private int[] groupedByLength(int[] perm) {
        int[] out = new int[perm.length];
        int pool = poolBatches * batchSize;
        for (int start = 0; start < perm.length; start += pool) {
            int end = Math.min(perm.length, start + pool);
            Integer[] rows = new Integer[end - start];
            for (int i = start; i < end; i++) {
                rows[i - start] = perm[i];
            }
            java.util.Arrays.sort(rows, java.util.Comparator.comparingInt(r -> lengthOf[r])); // stable
            int at = start;
            for (int b : rng.permutation(rows.length / batchSize)) {
                for (int i = b * batchSize; i < (b + 1) * batchSize; i++) {
                    out[at++] = rows[i];
                }
            }
            // the epoch's last, smaller batch stays last, so that every batch is one of the cuts
            for (int i = rows.length / batchSize * batchSize; i < rows.length; i++) {
                out[at++] = rows[i];
            }
        }
        return out;
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
