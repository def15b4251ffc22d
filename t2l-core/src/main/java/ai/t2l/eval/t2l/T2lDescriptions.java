package ai.t2l.eval.t2l;

import ai.t2l.eval.bench.DataFiles;
import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The description data of the T2L protocol (../shared/data/t2l-descriptions, see its SOURCE.md): the
 * training tasks in config order with their metadata descriptions, the 31 eval tasks with their 3
 * held-out descriptions, the 3 nonsense control strings ({@code additional_eval_descs}), and
 * {@code metadataDescriptions}: the reference's {@code ds_descs} (hm/utils/eval_hypermod.py
 * {@code generate_loras_for_tasks_from_descs}), i.e. the metadata.yaml descriptions of the training tasks, then of
 * the eval tasks not among them, in that order. The "other task" draw comes from this pool, never from the
 * held-out descriptions (issue 12 item 6).
 */
public record T2lDescriptions(List<String> trainTasks, Map<String, List<String>> trainDescriptions,
                              Map<String, List<String>> evalDescriptions, List<String> randomDescriptions,
                              Map<String, List<String>> metadataDescriptions) {
    public static T2lDescriptions load(Path dir) {
        Path lists = dir.resolve("train_task_lists.json");
        Path eval = dir.resolve("eval_descriptions.json");
        Path train = dir.resolve("train_descriptions.jsonl");
        for (Path p : List.of(lists, eval, train)) {
            if (!Files.isRegularFile(p)) {
                throw new T2lException(p + ": no such file (the T2L protocol needs the files of ../shared/data/t2l-descriptions;"
                        + " pass --descriptions DIR)");
            }
        }
        JsonNode l = Json.read(lists);
        List<String> trainTasks = strings(lists, l, "train_ds_names");
        List<String> random = strings(lists, l, "additional_eval_descs");
        JsonNode e = Json.read(eval);
        Map<String, List<String>> evalDescs = new LinkedHashMap<>();
        e.fieldNames().forEachRemaining(k -> evalDescs.put(k, strings(eval, e, k)));
        Set<String> wanted = new java.util.HashSet<>(trainTasks);
        wanted.addAll(evalDescs.keySet());
        Map<String, List<String>> found = new LinkedHashMap<>();
        // 16 MB: streamed, keeping only the training and eval tasks' descriptions
        DataFiles.jsonLines(train, (no, node) -> {
            String task = DataFiles.text(train, no, node, "task");
            if (wanted.contains(task)) {
                List<String> d = new ArrayList<>();
                DataFiles.array(train, no, node, "descriptions").forEach(x -> d.add(x.asText()));
                found.put(task, List.copyOf(d));
            }
        });
        Map<String, List<String>> trainDescs = new LinkedHashMap<>();
        for (String t : trainTasks) {
            List<String> d = found.get(t);
            if (d == null || d.isEmpty()) {
                throw new T2lException(train + ": training task " + t + " (listed in " + lists + ") has no descriptions");
            }
            trainDescs.put(t, d);
        }
        Map<String, List<String>> metadata = new LinkedHashMap<>(trainDescs);
        for (String t : evalDescs.keySet()) {
            List<String> d = found.get(t);
            if (d == null || d.isEmpty()) {
                throw new T2lException(train + ": eval task " + t + " (a key of " + eval + ") has no metadata"
                        + " descriptions; the T2L protocol draws its \"other task\" descriptions from them");
            }
            metadata.putIfAbsent(t, d);
        }
        return new T2lDescriptions(List.copyOf(trainTasks), trainDescs, evalDescs, List.copyOf(random), metadata);
    }

    private static List<String> strings(Path file, JsonNode root, String field) {
        JsonNode a = root.get(field);
        if (a == null || !a.isArray()) {
            throw new T2lException(file + ": field \"" + field + "\": expected a list of strings");
        }
        List<String> out = new ArrayList<>();
        a.forEach(x -> out.add(x.asText()));
        return out;
    }
}
