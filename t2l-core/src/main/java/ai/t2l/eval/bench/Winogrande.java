package ai.t2l.eval.bench;

import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * WinoGrande dev (HF winogrande_debiased validation, 1,267). The official dev.jsonl is missing; the text
 * comes from {@code dev.reconstructed.jsonl} ({@code sentence, option1, option2, answer}) and the labels
 * from the official {@code dev-labels.lst}, which must agree (data/benchmarks/winogrande/SOURCE.md). No
 * qID here: ids are 0-based line indexes.
 */
public final class Winogrande extends NamedBenchmark {
    private static final String DATA = "winogrande/dev.reconstructed.jsonl";
    private static final String LABELS = "winogrande/dev-labels.lst";

    public Winogrande() {
        super("winogrande", "WG", DATA, LABELS);
    }

    @Override
    public List<Item> load(Path dir) {
        List<String> labels = LabelFile.read(dir.resolve(LABELS), "1", "2");
        Path path = dir.resolve(DATA);
        String template = EvalPrompts.template(name());
        List<Item> items = new ArrayList<>();
        DataFiles.jsonLines(path, (no, node) -> {
            String answer = DataFiles.text(path, no, node, "answer");
            int i = items.size();
            if (i >= labels.size() || !labels.get(i).equals(answer)) {
                throw new T2lException(path + ":" + no + ": field \"answer\" is \"" + answer + "\" but "
                        + dir.resolve(LABELS) + " line " + (i + 1) + " says "
                        + (i < labels.size() ? "\"" + labels.get(i) + "\"" : "nothing"));
            }
            ObjectNode example = Json.MAPPER.createObjectNode();
            for (String f : new String[] {"sentence", "option1", "option2"}) {
                example.put(f, DataFiles.text(path, no, node, f));
            }
            items.add(new Item(String.valueOf(i), PyFormat.format(template, example), answer));
        });
        if (items.size() != labels.size()) {
            throw new T2lException(path + ": " + items.size() + " items but " + labels.size() + " labels in "
                    + dir.resolve(LABELS));
        }
        return items;
    }

    @Override
    public Verdict score(Item item, String output) {
        return ChoiceScore.score(output, item.gold());
    }
}
