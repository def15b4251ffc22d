package ai.t2l.eval.bench;

import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * PIQA validation (1,838): {@code valid.jsonl} ({@code goal, sol1, sol2}) with one label 0/1 per line in
 * {@code valid-labels.lst}. No id field: ids are 0-based line indexes.
 */
public final class Piqa extends NamedBenchmark {
    private static final String DATA = "piqa/valid.jsonl";
    private static final String LABELS = "piqa/valid-labels.lst";

    public Piqa() {
        super("piqa", "PIQA", DATA, LABELS);
    }

    @Override
    public List<Item> load(Path dir) {
        List<String> labels = LabelFile.read(dir.resolve(LABELS), "0", "1");
        Path path = dir.resolve(DATA);
        String template = EvalPrompts.template(name());
        List<Item> items = new ArrayList<>();
        DataFiles.jsonLines(path, (no, node) -> {
            if (items.size() >= labels.size()) {
                throw new T2lException(path + ":" + no + ": more items than labels in " + dir.resolve(LABELS)
                        + " (" + labels.size() + ")");
            }
            ObjectNode example = Json.MAPPER.createObjectNode();
            for (String f : new String[] {"goal", "sol1", "sol2"}) {
                example.put(f, DataFiles.text(path, no, node, f));
            }
            items.add(new Item(String.valueOf(items.size()), PyFormat.format(template, example), labels.get(items.size())));
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
