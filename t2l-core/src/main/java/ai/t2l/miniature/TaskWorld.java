package ai.t2l.miniature;

import ai.t2l.io.T2lException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The miniature's synthetic task world: training tasks, held-out tasks, their descriptions, examples and scoring.
 * Everything is a pure function of the code and, for examples, of the seed given.
 *
 * <p>Trainers should be handed {@link #trainView()}, which cannot reach held-out tasks, evaluation descriptions or
 * test examples.
 */
public final class TaskWorld {
    private static final TaskWorld STANDARD = new TaskWorld(WorldDesign.build());

    private final List<Task> tasks;
    private final Map<String, Task> byName = new LinkedHashMap<>();

    private TaskWorld(List<Task> tasks) {
        this.tasks = tasks;
        for (Task t : tasks) {
            byName.put(t.name(), t);
        }
    }

    public static TaskWorld standard() {
        return STANDARD;
    }

    /** All tasks: training tasks first, then held-out ones, in design order. */
    public List<Task> tasks() {
        return tasks;
    }

    public List<Task> trainTasks() {
        return tasks.stream().filter(t -> t.role() == Task.Role.TRAIN).toList();
    }

    /**
     * The core training tasks (the rotation's 3 formats per operation, see docs/MINIATURE-WORLD.md): what the base
     * model, the oracle library and T2L reconstruction are trained on. SFT uses every training task.
     */
    public List<Task> coreTrainTasks() {
        Set<String> core = WorldDesign.coreNames();
        return trainTasks().stream().filter(t -> core.contains(t.name())).toList();
    }

    public List<Task> heldOutTasks() {
        return tasks.stream().filter(t -> t.role() == Task.Role.HELD_OUT).toList();
    }

    /** Family ids in design order. */
    public List<String> families() {
        LinkedHashSet<String> fs = new LinkedHashSet<>();
        tasks.forEach(t -> fs.add(t.family()));
        return List.copyOf(fs);
    }

    public Task task(String name) {
        Task t = byName.get(name);
        if (t == null) {
            throw new T2lException("miniature world: no task named '" + name + "' (names look like "
                    + tasks.get(0).name() + "; " + tasks.size() + " tasks)");
        }
        return t;
    }

    public List<String> trainDescriptions(Task task) {
        return task.trainDescriptions();
    }

    public List<String> evalDescriptions(Task task) {
        return task.evalDescriptions();
    }

    /**
     * Hand-written descriptions (not from the world's templates) of the held-out tasks and of one seen task per
     * family, for evaluation only ({@link FreeFormDescriptions}); empty for other tasks. Not reachable from
     * {@link #trainView()}.
     */
    public List<String> freeFormDescriptions(Task task) {
        List<String> h = FreeFormDescriptions.HELD_OUT.get(task.name());
        return h != null ? h : FreeFormDescriptions.SEEN.getOrDefault(task.name(), List.of());
    }

    /** Tasks with hand-written descriptions, in design order. */
    public List<Task> freeFormTasks() {
        return tasks.stream().filter(t -> !freeFormDescriptions(t).isEmpty()).toList();
    }

    /**
     * {@code n} examples with distinct inputs from one split. The same (task, split, n, seed) always gives the same
     * list; different tasks draw different words. Words of different splits never overlap, for any tasks.
     */
    public List<Example> examples(Task task, Split split, int n, long seed) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, task.name(), split.id()));
        List<Example> out = new ArrayList<>(n);
        for (String word : Inputs.sample(rng, split, n)) {
            out.add(Example.of(task, word));
        }
        return out;
    }

    /**
     * Exact match after trimming surrounding whitespace (no answer starts or ends with a space; generation may leave
     * a trailing newline). The task is passed so that a scorer per task stays possible; today all are exact match.
     */
    public static boolean score(Task task, String prediction, Example example) {
        return prediction != null && prediction.strip().equals(example.response());
    }

    /** A view for trainers: training tasks only, their training descriptions, train and val examples. */
    public TrainTasks trainView() {
        return new TrainTasks(this);
    }

    /** Writes tasks.json and per-task JSONL examples to a new folder {@code dir} (refuses a non-empty one). */
    public void writeTo(Path dir, WorldExport.Settings settings) {
        WorldExport.write(this, dir, settings);
    }

    public void writeTo(Path dir) {
        writeTo(dir, WorldExport.Settings.DEFAULT);
    }
}
