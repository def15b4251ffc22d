package ai.t2l.train.data;

import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Super-NaturalInstructions task files (Definition, Instances[{id, input, output[]}]) with the reference's
 * Lots-of-LoRAs preprocessing (hm/utils/preprocessing.py {@code get_preprocessing_fn}, spec §7.3):
 * task_def = definition + " Please complete the task without any explanation." (+ the comma-separated-list note
 * when an instance has several outputs), problem = the instance input, answer = the outputs joined with ", "; the lol
 * template is "{task_def}\n\n{problem}" with response "answer" (spec §7.1), which is also the evaluation prompt
 * ({@code LOL_TEMPLATE}, hm/vllm_eval.py).
 *
 * <p>The reference cuts those parts out of the Lots-of-LoRAs rows' full SNI prompt
 * ("Definition: {def}\n\nPositive Example ... Now complete the following example -\nInput: {input}\nOutput:") with
 * {@code split}: the definition ends at its first "\n\nPositive Example" (and at a second "Definition: "), the
 * problem at its first "\nOutput:" (and at a second "Input: "). Text of the task file that contains those markers is
 * cut at the same place here, so the prompt is the one the reference trained and evaluated on.
 */
public final class SniTasks {
    static final String SUFFIX = " Please complete the task without any explanation.";
    static final String MULTI = "\nThe answer should be a comma-separated list of possible completions.";
    private static final Pattern NUMBER = Pattern.compile("task(\\d+)_.*\\.json");

    /** One instance: its id (the file's, else its 0-based index) and the preprocessed example. */
    public record Instance(String id, TaskExample example) {}

    private SniTasks() {}

    /** The reference's task id for an SNI file: task022_x.json → lol_022. */
    public static String taskName(Path file) {
        Matcher m = NUMBER.matcher(file.getFileName().toString());
        return m.matches() ? "lol_" + m.group(1) : file.getFileName().toString().replaceFirst("\\.json$", "");
    }

    /** Every instance in file order (a task file named in 'tasks'; no split). */
    public static TaskData read(Path file, List<String> descriptions) {
        return read(file, descriptions, SniSplit.Part.ALL, 0);
    }

    /**
     * One part of the task (see {@link SniSplit}), its first {@code limit} examples when {@code limit > 0} (the
     * reference's {@code train[:10000]}).
     */
    public static TaskData read(Path file, List<String> descriptions, SniSplit.Part part, int limit) {
        List<Instance> inst = instances(file, part);
        if (limit > 0 && inst.size() > limit) {
            inst = inst.subList(0, limit);
        }
        List<TaskExample> out = new ArrayList<>(inst.size());
        inst.forEach(i -> out.add(i.example()));
        if (out.isEmpty()) {
            throw new T2lException(file + ": the " + part.name().toLowerCase(java.util.Locale.ROOT)
                    + " part of the task holds no examples (field 'Instances' has too few)");
        }
        return new TaskData(taskName(file), descriptions, out);
    }

    /** The preprocessed instances of one part, in the order the part uses them. */
    public static List<Instance> instances(Path file, SniSplit.Part part) {
        JsonNode root = Json.read(file);
        JsonNode def = root.get("Definition");
        if (def == null || !(def.isArray() ? def.size() > 0 && def.get(0).isTextual() : def.isTextual())) {
            throw new T2lException(file + ": field 'Definition' must be a non-empty list of strings, found " + def);
        }
        String definition = taskDefinition(def.isArray() ? def.get(0).asText() : def.asText());
        JsonNode instances = root.get("Instances");
        if (instances == null || !instances.isArray()) {
            throw new T2lException(file + ": field 'Instances' must be a list, found " + instances);
        }
        if (instances.isEmpty()) {
            throw new T2lException(file + ": task file holds no examples (field 'Instances' is empty)");
        }
        List<Instance> out = new ArrayList<>();
        for (int i : SniSplit.indices(instances.size(), part)) {
            JsonNode inst = instances.get(i);
            JsonNode input = inst.get("input");
            JsonNode output = inst.get("output");
            if (input == null || !input.isTextual() || output == null) {
                throw new T2lException(file + ": Instances[" + i + "] needs a text 'input' and an 'output'");
            }
            List<String> outputs = new ArrayList<>();
            if (output.isArray()) {
                output.forEach(o -> outputs.add(o.asText()));
            } else {
                outputs.add(output.asText());
            }
            String taskDef = definition + SUFFIX + (outputs.size() > 1 ? MULTI : "");
            JsonNode id = inst.get("id");
            out.add(new Instance(id != null && id.isTextual() ? id.asText() : String.valueOf(i),
                    new TaskExample(taskDef + "\n\n" + problem(input.asText()), String.join(", ", outputs))));
        }
        return out;
    }

    /** {@code txt.split("Definition: ")[1].split("\n\nPositive Example")[0]} applied to the definition. */
    static String taskDefinition(String definition) {
        return cutAt(cutAt(definition, "Definition: "), "\n\nPositive Example");
    }

    /** {@code ...split("Input: ")[1].split("\nOutput:")[0]} applied to the instance input. */
    static String problem(String input) {
        return cutAt(cutAt(input, "Input: "), "\nOutput:");
    }

    private static String cutAt(String s, String marker) {
        int i = s.indexOf(marker);
        return i < 0 ? s : s.substring(0, i);
    }
}
