package ai.t2l.train.data;

import java.util.List;

/** A task: its name, the natural-language descriptions a hypernetwork sees, and its examples in file order. */
public record TaskData(String name, List<String> descriptions, List<TaskExample> examples) {
    public TaskData {
        descriptions = List.copyOf(descriptions);
        examples = List.copyOf(examples);
    }

    public TaskData withDescriptions(List<String> d) {
        return new TaskData(name, d, examples);
    }
}
