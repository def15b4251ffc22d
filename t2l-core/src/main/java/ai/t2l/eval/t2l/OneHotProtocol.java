package ai.t2l.eval.t2l;

import ai.t2l.io.T2lException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

/**
 * The reference's evaluation of a one-hot T2L (hm/utils/eval_hypermod.py {@code generate_lora_for_tasks_one_hot},
 * spec §9). Only tasks the checkpoint was trained on are evaluated ("only eval seen tasks with one-hot emb"): an
 * unseen task has no one-hot id, so the reference generates nothing for it; here asking for one is an error
 * ({@link #plan}). For a seen task with index i of n:
 * <ul>
 *   <li>{@code train_descs}: e_i, the task's own one-hot (1 adapter);</li>
 *   <li>{@code other_train_descs}: e_j for one j ≠ i drawn uniformly ({@code random.choice}; none when n = 1);</li>
 *   <li>{@code random_descs}: 3 points of Dirichlet(1, ..., 1) ({@code generate_simplex_points(3, n)}), drawn once
 *       per evaluation and shared by every task, as the reference draws them before its task loop.</li>
 * </ul>
 * The reference draws with NumPy's and Python's global generators; here seeded generators make each draw
 * reproducible on its own (the protocol is the same, the numbers drawn differ).
 */
public final class OneHotProtocol {
    public static final List<String> SPLITS = List.of("train_descs", "other_train_descs", "random_descs");
    public static final int MIXTURES = 3;

    /** One adapter to generate: split, index within it, the hypernetwork's input and what it is, in words. */
    public record Lora(String task, String split, int index, String input, float[] vector) implements PlannedLora {
        /** Cache and folder key, like the reference's {@code generated_loras/<task>/<split>/lora_i}. */
        public String key() {
            return "t2l-one-hot-" + split + "/lora_" + index;
        }
    }

    private final List<String> tasks;
    private final long seed;
    private final List<float[]> mixtures;

    public OneHotProtocol(List<String> trainingTasks, long seed) {
        if (trainingTasks.isEmpty()) {
            throw new T2lException("a one-hot T2L without training tasks cannot be evaluated");
        }
        this.tasks = List.copyOf(trainingTasks);
        this.seed = seed;
        this.mixtures = dirichlet(MIXTURES, tasks.size(), new SplittableRandom(seed));
    }

    /** The adapters of one task; an unseen task is an error naming the rule and the known tasks. */
    public List<Lora> plan(String task) {
        int i = tasks.indexOf(task);
        if (i < 0) {
            throw new T2lException("one-hot T2L: \"" + task + "\" is not one of its " + tasks.size() + " training tasks,"
                    + " so it has no one-hot id (the reference evaluates only seen tasks with one-hot embeddings);"
                    + " its tasks: " + preview());
        }
        List<Lora> out = new ArrayList<>();
        out.add(new Lora(task, "train_descs", 0, "one-hot " + task + " (index " + i + ")", oneHot(i)));
        if (tasks.size() > 1) {
            SplittableRandom rng = new SplittableRandom(seed ^ crc(task));
            int j = rng.nextInt(tasks.size() - 1); // uniform over the n-1 other indices
            j = j >= i ? j + 1 : j;
            out.add(new Lora(task, "other_train_descs", 0, "one-hot " + tasks.get(j) + " (index " + j + ")",
                    oneHot(j)));
        }
        for (int k = 0; k < mixtures.size(); k++) {
            out.add(new Lora(task, "random_descs", k, "Dirichlet(1) mixture " + k + " of the " + tasks.size()
                    + " one-hot ids", mixtures.get(k).clone()));
        }
        return out;
    }

    private float[] oneHot(int i) {
        float[] v = new float[tasks.size()];
        v[i] = 1f;
        return v;
    }

    /**
     * Dirichlet(1, ..., 1) points: i.i.d. Exponential(1) draws normalised to sum 1 (the standard construction, as
     * NumPy's {@code dirichlet} with all alphas 1 is a normalised Gamma(1) = Exponential(1) sample).
     */
    static List<float[]> dirichlet(int points, int dim, SplittableRandom rng) {
        List<float[]> out = new ArrayList<>();
        for (int p = 0; p < points; p++) {
            double[] g = new double[dim];
            double sum = 0;
            for (int d = 0; d < dim; d++) {
                g[d] = -Math.log(1.0 - rng.nextDouble()); // in (0, inf): 1 - [0, 1) is never 0
                sum += g[d];
            }
            float[] v = new float[dim];
            for (int d = 0; d < dim; d++) {
                v[d] = (float) (g[d] / sum);
            }
            out.add(v);
        }
        return out;
    }

    private String preview() {
        return tasks.size() <= 12 ? String.join(", ", tasks)
                : String.join(", ", tasks.subList(0, 12)) + ", ... (" + tasks.size() + " in all)";
    }

    private static long crc(String s) {
        CRC32 c = new CRC32();
        c.update(s.getBytes(StandardCharsets.UTF_8));
        return c.getValue();
    }
}
