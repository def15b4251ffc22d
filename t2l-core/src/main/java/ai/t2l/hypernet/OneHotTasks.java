package ai.t2l.hypernet;

import ai.t2l.io.T2lException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The task → index table of a one-hot T2L (spec §2.2, §9; the reference's {@code use_one_hot_task_emb}): task i of
 * the training list is the one-hot vector e_i of width n = number of training tasks. The order is the reference's:
 * its training code builds {@code torch.eye(len(ds_names))[i]} over {@code train_ds_names} in config order
 * (hm/data.py {@code get_task_embs}), and its evaluation indexes {@code args.train_ds_names.index(task)}
 * (hm/utils/eval_hypermod.py {@code generate_lora_for_tasks_one_hot}). The table travels with the checkpoint
 * ({@link HyperConfig#taskNames}; args.yaml {@code train_ds_names} for reference checkpoints).
 */
public final class OneHotTasks {
    private final List<String> names;
    private final Map<String, Integer> index = new HashMap<>();

    public OneHotTasks(List<String> names) {
        if (names.isEmpty()) {
            throw new T2lException("a one-hot task table needs at least one task");
        }
        this.names = List.copyOf(names);
        for (int i = 0; i < names.size(); i++) {
            if (index.putIfAbsent(names.get(i), i) != null) {
                throw new T2lException("one-hot task table: task '" + names.get(i) + "' appears twice (index "
                        + index.get(names.get(i)) + " and " + i + ")");
            }
        }
    }

    /** The table of a one-hot hypernetwork; a clear error for a description-conditioned one. */
    public static OneHotTasks of(HyperConfig c) {
        if (c.encoderType() != TaskEncoderType.ONE_HOT) {
            throw new T2lException("this hypernetwork reads description embeddings (task encoder "
                    + c.encoderType().name().toLowerCase(java.util.Locale.ROOT) + "), not one-hot task ids");
        }
        return new OneHotTasks(c.taskNames());
    }

    /**
     * For the paths that embed text (generate --description, run, serve): a one-hot T2L is refused by name, instead
     * of failing later on an encoder width.
     */
    public static void refuseText(HyperConfig c, Object source) {
        if (c.encoderType() == TaskEncoderType.ONE_HOT) {
            throw new T2lException(source + " is a one-hot T2L: it reads a training task's id, not a description;"
                    + " use --one-hot-task NAME (its tasks: " + preview(c.taskNames()) + ") with t2l generate, or"
                    + " evaluate it with t2l eval run --t2l");
        }
    }

    public List<String> names() {
        return names;
    }

    public int size() {
        return names.size();
    }

    public boolean contains(String task) {
        return index.containsKey(task);
    }

    /** The task's index; an unknown task is an error that lists the known ones. */
    public int index(String task) {
        Integer i = index.get(task);
        if (i == null) {
            throw new T2lException("task '" + task + "' is not one of the " + names.size() + " training tasks of this"
                    + " one-hot T2L (a one-hot hypernetwork only knows the tasks it was trained on): "
                    + preview(names));
        }
        return i;
    }

    /** e_index(task): the hypernetwork's input for that task. */
    public float[] vector(String task) {
        return vector(index(task));
    }

    public float[] vector(int i) {
        if (i < 0 || i >= names.size()) {
            throw new T2lException("one-hot index " + i + " is outside [0, " + names.size() + ")");
        }
        float[] v = new float[names.size()];
        v[i] = 1f;
        return v;
    }

    static String preview(List<String> names) {
        return names.size() <= 12 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 12)) + ", ... (" + names.size() + " in all)";
    }
}
