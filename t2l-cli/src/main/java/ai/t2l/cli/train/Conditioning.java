package ai.t2l.cli.train;

import ai.t2l.embed.TaskEmbedder;
import ai.t2l.hypernet.HyperConfig;
import ai.t2l.hypernet.OneHotTasks;
import ai.t2l.hypernet.TaskEncoderType;
import ai.t2l.io.T2lException;
import ai.t2l.train.TrainListener;
import ai.t2l.train.data.DescriptionSource;
import ai.t2l.train.data.PreparedTask;
import ai.t2l.train.data.TaskData;
import java.util.ArrayList;
import java.util.List;

/**
 * What a hypernetwork is conditioned on during training, from settings {@code task_encoder} and
 * {@code use_inp_as_desc} (the reference's {@code use_one_hot_task_emb} and {@code use_inp_as_desc}, spec §2.2, §9):
 * <ul>
 *   <li>descriptions (the default): each task's description embeddings;</li>
 *   <li>one-hot T2L: task i of the training list is e_i, width = number of training tasks, descriptions ignored
 *       (hm/data.py {@code get_task_embs}: {@code torch.eye(len(ds_names))[i]} in config order);</li>
 *   <li>Hyperdecoders: every example's own user prompt, embedded by the description encoder as plain text (the
 *       reference formats it without a chat template because gte has none), one row per example
 *       ({@code PerSampleEmbSFTDataset}).</li>
 * </ul>
 */
final class Conditioning {
    enum Kind { DESCRIPTIONS, ONE_HOT, INPUT }

    final Kind kind;
    private final TaskEmbedder embedder;
    private OneHotTasks table;

    private Conditioning(Kind kind, TaskEmbedder embedder) {
        this.kind = kind;
        this.embedder = embedder;
    }

    /** {@code task_encoder}: linear or one_hot. */
    static TaskEncoderType encoderType(Settings s) {
        return switch (s.str("task_encoder")) {
            case "linear" -> TaskEncoderType.LINEAR;
            case "one_hot" -> TaskEncoderType.ONE_HOT;
            default -> throw new T2lException("setting 'task_encoder' must be linear or one_hot, found '"
                    + s.str("task_encoder") + "'");
        };
    }

    static Kind kind(Settings s, boolean hasInputKey) {
        boolean oneHot = encoderType(s) == TaskEncoderType.ONE_HOT;
        boolean input = hasInputKey && s.bool("use_inp_as_desc");
        if (oneHot && input) {
            // the reference asserts the same (train_custom_sft.py: one_hot_task_emb needs use_per_task_emb)
            throw new T2lException("settings 'task_encoder: one_hot' and 'use_inp_as_desc: true' exclude each other:"
                    + " a one-hot id names a task, the input names an example");
        }
        return oneHot ? Kind.ONE_HOT : input ? Kind.INPUT : Kind.DESCRIPTIONS;
    }

    /** {@code embedder} may be null for one-hot (nothing is embedded). */
    static Conditioning of(Kind kind, TaskEmbedder embedder) {
        return of(kind, embedder, null);
    }

    /** {@code cacheDir}: where the example-input embeddings are cached (setting cache_dir; null: none). */
    static Conditioning of(Kind kind, TaskEmbedder embedder, java.nio.file.Path cacheDir) {
        if (kind != Kind.ONE_HOT && embedder == null) {
            throw new IllegalArgumentException("an embedder is needed for " + kind);
        }
        Conditioning c = new Conditioning(kind, embedder);
        c.cacheDir = cacheDir;
        return c;
    }

    private java.nio.file.Path cacheDir;

    boolean needsDescriptions() {
        return kind == Kind.DESCRIPTIONS;
    }

    DescriptionSource rows() {
        return kind == Kind.INPUT ? DescriptionSource.INPUT : DescriptionSource.TASK;
    }

    /** Task-embedding width: the encoder's, or the number of training tasks for one-hot. */
    int width(int trainingTasks) {
        return kind == Kind.ONE_HOT ? trainingTasks : embedder.dimension();
    }

    /** The hypernetwork settings this conditioning fixes (one-hot table, input flag, encoder name). */
    HyperConfig.Builder apply(HyperConfig.Builder b, List<String> trainingTasks) {
        return switch (kind) {
            case ONE_HOT -> b.encoderType(TaskEncoderType.ONE_HOT).taskNames(trainingTasks).embModel("");
            case INPUT -> b.inputAsDescription(true);
            case DESCRIPTIONS -> b;
        };
    }

    /**
     * The training tasks as the sampler sees them: for one-hot each task keeps one "description", its one-hot id
     * (so the sampler draws row 0 of a one-row table); the table is fixed here, in task order.
     */
    List<PreparedTask> trainingTasks(List<PreparedTask> tasks) {
        if (kind != Kind.ONE_HOT) {
            return tasks;
        }
        table = new OneHotTasks(tasks.stream().map(PreparedTask::name).toList());
        return tasks.stream().map(this::asOneHot).toList();
    }

    private PreparedTask asOneHot(PreparedTask p) {
        return new PreparedTask(p.name(), List.of("one-hot task " + table.index(p.name())), p.train(), p.validation(),
                p.truncated());
    }

    /**
     * Each task's embedding table, in task order: its descriptions' embeddings, its one-hot id, or one row per
     * example of {@code data} in file order (the rows that {@link DescriptionSource#INPUT} indexes). For a
     * validation set, {@code data} may hold more examples than {@code tasks}; only the first ones are embedded.
     */
    List<float[][]> embed(List<TaskData> data, List<PreparedTask> tasks, TrainListener listener) {
        List<float[][]> out = new ArrayList<>();
        switch (kind) {
            case DESCRIPTIONS -> out.addAll(TaskInputs.embed(tasks, embedder, listener));
            case ONE_HOT -> {
                if (table == null) {
                    throw new IllegalStateException("trainingTasks() fixes the one-hot table first");
                }
                for (PreparedTask p : tasks) {
                    out.add(new float[][] {table.vector(p.name())}); // unknown validation task: a clear error
                }
            }
            case INPUT -> {
                int[] embedded = {0};
                int n = 0;
                for (int t = 0; t < tasks.size(); t++) {
                    PreparedTask p = tasks.get(t);
                    int rows = p.train().size() + p.validation().size();
                    List<String> texts = data.get(t).examples().subList(0, rows).stream()
                            .map(ai.t2l.train.data.TaskExample::prompt).toList();
                    out.add(InputEmbeddingCache.get(cacheDir, embedder, texts, () -> {
                        float[][] e = new float[rows][];
                        for (int k = 0; k < rows; k++) {
                            try {
                                e[k] = embedder.embed(texts.get(k)).vector();
                            } catch (T2lException ex) {
                                throw new T2lException("task " + p.name() + ", example " + (k + 1) + ": its input is"
                                        + " its description (use_inp_as_desc) and cannot be embedded: "
                                        + ex.getMessage(), ex);
                            }
                        }
                        embedded[0] += rows;
                        return e;
                    }));
                    n += rows;
                }
                listener.onMessage("embedded " + embedded[0] + " example inputs as their descriptions with "
                        + embedder.name() + (n > embedded[0] ? " (" + (n - embedded[0]) + " more read from the cache)"
                                : ""));
            }
        }
        return out;
    }

    /** One-hot tasks in one-hot form for a validation set (their ids from the training table). */
    List<PreparedTask> validationTasks(List<PreparedTask> tasks) {
        return kind == Kind.ONE_HOT ? tasks.stream().map(this::asOneHot).toList() : tasks;
    }
}
