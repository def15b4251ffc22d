package ai.t2l.eval.bench;

import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * ARC (AI2 ARC-V1-Feb2018 JSON Lines: {@code id, question{stem, choices[{text,label}]}, answerKey}); the
 * two test sets differ only in file and name. Ids are the file's {@code id}.
 */
abstract class Arc extends NamedBenchmark {
    private final String file;

    Arc(String name, String column, String file) {
        super(name, column, file);
        this.file = file;
    }

    @Override
    public List<Item> load(Path dir) {
        Path path = dir.resolve(file);
        String template = EvalPrompts.template(name());
        List<Item> items = new ArrayList<>();
        DataFiles.jsonLines(path, (no, node) -> {
            JsonNode q = node.get("question");
            if (q == null || !q.isObject()) {
                throw new T2lException(path + ":" + no + ": field \"question\": expected an object");
            }
            JsonNode choices = DataFiles.array(path, no, q, "choices");
            List<String> labels = new ArrayList<>();
            List<String> texts = new ArrayList<>();
            for (JsonNode c : choices) {
                labels.add(DataFiles.text(path, no, c, "label"));
                texts.add(DataFiles.text(path, no, c, "text"));
            }
            padToFour(labels, texts);
            ObjectNode example = Json.MAPPER.createObjectNode();
            example.put("question", DataFiles.text(path, no, q, "stem"));
            ObjectNode ch = example.putObject("choices");
            ArrayNode l = ch.putArray("label");
            labels.forEach(l::add);
            ArrayNode t = ch.putArray("text");
            texts.forEach(t::add);
            items.add(new Item(DataFiles.text(path, no, node, "id"), PyFormat.format(template, example),
                    DataFiles.text(path, no, node, "answerKey")));
        });
        return items;
    }

    /**
     * Spec §7.3: choices are padded to 4 with "N/A" and missing labels continue the sequence (digits, or
     * A–D). The template prints choices 0..3 only, so the 7 five-choice test items show 4 (reference QUIRK).
     */
    static void padToFour(List<String> labels, List<String> texts) {
        while (labels.size() < 4) {
            String last = labels.isEmpty() ? null : labels.get(labels.size() - 1);
            boolean digits = last != null && last.chars().allMatch(Character::isDigit);
            labels.add(digits ? String.valueOf(Integer.parseInt(last) + 1) : String.valueOf((char) ('A' + labels.size())));
            texts.add("N/A");
        }
    }

    @Override
    public Verdict score(Item item, String output) {
        return ChoiceScore.score(output, item.gold());
    }
}
