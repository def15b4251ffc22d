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
 * Super-NaturalInstructions task files (Definition, Instances[{input, output[]}]) with the reference's Lots-of-LoRAs
 * preprocessing (spec §7.3): task_def = definition + " Please complete the task without any explanation." (+ the
 * comma-separated-list note when an instance has several outputs), problem = the instance input, answer = the
 * outputs joined with ", "; the lol template is "{task_def}\n\n{problem}" with response "answer" (spec §7.1).
 * The reference reads the same text out of the HF rows' full SNI prompt; from the task file the parts are direct.
 */
public final class SniTasks {
    static final String SUFFIX = " Please complete the task without any explanation.";
    static final String MULTI = "\nThe answer should be a comma-separated list of possible completions.";
    private static final Pattern NUMBER = Pattern.compile("task(\\d+)_.*\\.json");

    private SniTasks() {}

    /** The reference's task id for an SNI file: task022_x.json → lol_022. */
    public static String taskName(Path file) {
        Matcher m = NUMBER.matcher(file.getFileName().toString());
        return m.matches() ? "lol_" + m.group(1) : file.getFileName().toString().replaceFirst("\\.json$", "");
    }

    public static TaskData read(Path file, List<String> descriptions) {
        JsonNode root = Json.read(file);
        JsonNode def = root.get("Definition");
        if (def == null || !(def.isArray() ? def.size() > 0 : def.isTextual())) {
            throw new T2lException(file + ": field 'Definition' must be a non-empty list of strings, found " + def);
        }
        String definition = def.isArray() ? def.get(0).asText() : def.asText();
        JsonNode instances = root.get("Instances");
        if (instances == null || !instances.isArray()) {
            throw new T2lException(file + ": field 'Instances' must be a list, found " + instances);
        }
        List<TaskExample> out = new ArrayList<>();
        for (int i = 0; i < instances.size(); i++) {
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
            out.add(new TaskExample(taskDef + "\n\n" + input.asText(), String.join(", ", outputs)));
        }
        if (out.isEmpty()) {
            throw new T2lException(file + ": task file holds no examples (field 'Instances' is empty)");
        }
        return new TaskData(taskName(file), descriptions, out);
    }
}
