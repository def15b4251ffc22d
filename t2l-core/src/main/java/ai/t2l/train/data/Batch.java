package ai.t2l.train.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * A collated batch (spec §6.3): right padding to a multiple of 8 with the pad id, labels −100 on padding.
 * {@code tasks} and {@code descriptions} say, per row, which task and which description embedding it uses.
 */
public record Batch(int[][] ids, int[][] labels, int[] tasks, int[] descriptions) {
    public static final int PAD_MULTIPLE = 8;

    public static Batch collate(List<TokenizedExample> rows, int[] tasks, int[] descriptions, int padId) {
        int longest = rows.stream().mapToInt(TokenizedExample::length).max().orElse(0);
        int len = Math.max(PAD_MULTIPLE, (longest + PAD_MULTIPLE - 1) / PAD_MULTIPLE * PAD_MULTIPLE);
        int[][] ids = new int[rows.size()][len];
        int[][] labels = new int[rows.size()][len];
        for (int b = 0; b < rows.size(); b++) {
            TokenizedExample e = rows.get(b);
            java.util.Arrays.fill(ids[b], padId);
            java.util.Arrays.fill(labels[b], -100);
            System.arraycopy(e.ids(), 0, ids[b], 0, e.length());
            System.arraycopy(e.labels(), 0, labels[b], 0, e.length());
        }
        return new Batch(ids, labels, tasks, descriptions);
    }

    /** The rows a sampler chose: each item's training example, with its task and description index. */
    public static Batch of(List<PreparedTask> tasks, List<Sampler.Item> items, int padId) {
        List<TokenizedExample> rows = new ArrayList<>(items.size());
        int[] taskIdx = new int[items.size()];
        int[] descIdx = new int[items.size()];
        for (int i = 0; i < items.size(); i++) {
            Sampler.Item it = items.get(i);
            rows.add(tasks.get(it.task()).train().get(it.example()));
            taskIdx[i] = it.task();
            descIdx[i] = it.description();
        }
        return collate(rows, taskIdx, descIdx, padId);
    }

    public int size() {
        return ids.length;
    }

    public int seqLen() {
        return ids[0].length;
    }

    public long targetTokens() {
        long n = 0;
        for (int[] row : labels) {
            for (int l : row) {
                n += l == -100 ? 0 : 1;
            }
        }
        return n;
    }

    public NDArray idsArray(NDManager m) {
        return m.create(flat(ids), new Shape(ids.length, seqLen()));
    }

    public NDArray labelsArray(NDManager m) {
        return m.create(flat(labels), new Shape(labels.length, seqLen()));
    }

    private static int[] flat(int[][] a) {
        int[] f = new int[a.length * a[0].length];
        for (int i = 0; i < a.length; i++) {
            System.arraycopy(a[i], 0, f, i * a[0].length, a[0].length);
        }
        return f;
    }
}
