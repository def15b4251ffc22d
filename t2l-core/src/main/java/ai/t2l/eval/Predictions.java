package ai.t2l.eval;

import ai.t2l.eval.bench.Benchmark;
import ai.t2l.eval.bench.DataFiles;
import ai.t2l.eval.bench.Item;
import ai.t2l.eval.bench.Verdict;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code t2l eval score}: scores generations made elsewhere (e.g. by vLLM) with our extraction and scorers.
 * One JSON object per line, {@code {"id": ..., "text": ...}}, where {@code id} is the benchmark's own id
 * (task_id, ARC id, OpenBookQA ID, BoolQ idx) or the 0-based index of the item in its data file, and
 * {@code text} is the generation after the prefill. Items without a prediction are left out.
 */
public final class Predictions {
    private Predictions() {}

    public static Map<String, String> read(Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, Integer> lineOf = new LinkedHashMap<>();
        DataFiles.jsonLines(file, (no, node) -> {
            JsonNode id = node.get("id");
            if (id == null || !(id.isTextual() || id.isIntegralNumber())) {
                throw new T2lException(file + ":" + no + ": field \"id\": expected a string or an integer, found "
                        + (id == null ? "nothing" : id.getNodeType()));
            }
            String text = DataFiles.text(file, no, node, "text");
            if (out.containsKey(id.asText())) {
                throw new T2lException(file + ":" + no + ": id \"" + id.asText() + "\" already given at line " + lineOf.get(id.asText()));
            }
            out.put(id.asText(), text);
            lineOf.put(id.asText(), no);
        });
        if (out.isEmpty()) {
            throw new T2lException(file + ": no predictions (expected one {\"id\", \"text\"} object per line)");
        }
        return out;
    }

    public static TaskResult score(Benchmark b, List<Item> items, Map<String, String> predictions, Path file, Scorer scorer) {
        Set<String> known = items.stream().map(Item::id).collect(Collectors.toSet());
        List<String> unknown = predictions.keySet().stream().filter(id -> !known.contains(id)).toList();
        if (!unknown.isEmpty()) {
            String first = unknown.stream().limit(10).map(s -> "\"" + s + "\"").collect(Collectors.joining(", "));
            throw new T2lException(file + ": " + unknown.size() + " prediction id(s) do not exist in " + b.name() + ": " + first
                    + (unknown.size() > 10 ? ", ..." : "") + " (ids are " + idHint(items) + ")");
        }
        List<Item> used = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        for (Item item : items) {
            String t = predictions.get(item.id());
            if (t != null) {
                used.add(item);
                outputs.add(t);
            }
        }
        List<Verdict> v = scorer.score(b, used, outputs);
        List<ItemResult> rows = new ArrayList<>();
        int correct = 0;
        for (int i = 0; i < used.size(); i++) {
            Verdict x = v.get(i);
            correct += x.correct() ? 1 : 0;
            ChatPrompt p = PromptOptions.BASE.build(b, used.get(i));
            rows.add(new ItemResult(used.get(i).id(), p.user(), p.prefill(), outputs.get(i), x.extracted(), x.correct(), x.detail(),
                    x.value()));
        }
        String name = file.getFileName().toString();
        return new TaskResult(b.name(), b.column(), b.metric(), "predictions", name, Verdict.percent(v),
                correct, used.size(), rows, scorer.containment(b));
    }

    private static String idHint(List<Item> items) {
        if (items.isEmpty()) {
            return "none";
        }
        return "e.g. \"" + items.get(0).id() + "\" to \"" + items.get(items.size() - 1).id() + "\"";
    }
}
