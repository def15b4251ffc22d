package ai.t2l.miniature;

import ai.t2l.io.T2lException;
import java.util.List;

/**
 * What a trainer may see of the world: training tasks, their training descriptions, and train/val examples. Held-out
 * tasks and test examples are unreachable here, so no trainer can use them by accident. (A {@link Task} still
 * carries its evaluation descriptions; trainers take descriptions from {@link #descriptions}.)
 */
public final class TrainTasks {
    private final TaskWorld world;
    private final List<Task> tasks;

    TrainTasks(TaskWorld world) {
        this.world = world;
        this.tasks = world.trainTasks();
    }

    public List<Task> tasks() {
        return tasks;
    }

    public List<String> names() {
        return tasks.stream().map(Task::name).toList();
    }

    public Task task(String name) {
        Task t = world.task(name);
        if (t.role() != Task.Role.TRAIN) {
            throw new T2lException("miniature world: task '" + name + "' is held out; trainers may not use it");
        }
        return t;
    }

    public List<String> descriptions(String name) {
        return task(name).trainDescriptions();
    }

    public List<Example> examples(String name, Split split, int n, long seed) {
        if (split == Split.TEST) {
            throw new T2lException("miniature world: trainers may not draw test examples (task '" + name + "')");
        }
        return world.examples(task(name), split, n, seed);
    }
}
