package ai.t2l.miniature.build;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.t2l.miniature.Example;
import ai.t2l.tokenizer.ChatFormat;
import ai.t2l.tokenizer.CompletionExample;
import ai.t2l.tokenizer.Tokenizer;
import ai.t2l.train.Rng;
import ai.t2l.train.data.Batch;
import ai.t2l.train.data.TokenizedExample;
import java.util.ArrayList;
import java.util.List;

/**
 * Tokenised miniature examples and batches. Examples go through the same path as a real model's (spec §7.4):
 * the model folder's chat format, prompt and response rendered apart, labels −100 on the prompt.
 */
public final class MiniData {
    /** One task's tokenised examples; {@code index} is the task's row in the stage's task list. */
    public record TaskExamples(String name, int index, List<TokenizedExample> train, List<TokenizedExample> val) {}

    private final CompletionExample.Builder builder;
    private final int padId;

    public MiniData(Tokenizer tokenizer, ChatFormat format) {
        this.builder = CompletionExample.builder().setFormat(format).setTokenizer(tokenizer);
        this.padId = tokenizer.requireTokenId("<pad>");
    }

    public int padId() {
        return padId;
    }

    public TokenizedExample encode(Example e) {
        CompletionExample c = builder.build(e.prompt(), e.response());
        return new TokenizedExample(c.inputIds(), c.labels());
    }

    public List<TokenizedExample> encode(List<Example> examples) {
        List<TokenizedExample> out = new ArrayList<>(examples.size());
        examples.forEach(e -> out.add(encode(e)));
        return out;
    }

    /** {@code perTask} training examples drawn with replacement from each listed task; rows grouped by task. */
    public static Batch sample(List<TaskExamples> tasks, int[] which, int perTask, Rng rng, int padId) {
        List<TokenizedExample> rows = new ArrayList<>();
        int[] taskOf = new int[which.length * perTask];
        int k = 0;
        for (int t : which) {
            List<TokenizedExample> train = tasks.get(t).train();
            for (int i = 0; i < perTask; i++) {
                rows.add(train.get(rng.nextInt(train.size())));
                taskOf[k++] = t;
            }
        }
        return Batch.collate(rows, taskOf, new int[taskOf.length], padId);
    }

    /** {@code n} distinct task indices out of {@code count}, uniformly (a prefix of a random permutation). */
    public static int[] pickTasks(int count, int n, Rng rng) {
        int[] perm = rng.permutation(count);
        return java.util.Arrays.copyOf(perm, Math.min(n, count));
    }

    /** The batch's task index per row as an int64 array (for gathering per-row adapters). */
    public static NDArray rowTasks(NDManager m, Batch b) {
        long[] idx = new long[b.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = b.tasks()[i];
        }
        return m.create(idx, new Shape(idx.length));
    }
}
