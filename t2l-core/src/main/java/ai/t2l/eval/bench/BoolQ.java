package ai.t2l.eval.bench;

import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * BoolQ dev (HF google/boolq validation), here in SuperGLUE packaging: {@code question, passage =
 * "title -- text", idx, label "true"/"false"}. HF's passage has no title, so the text up to and including
 * the first " -- " is dropped (data/benchmarks/boolq/SOURCE.md). Ids are {@code idx}.
 */
public final class BoolQ extends NamedBenchmark {
    private static final String FILE = "boolq/val.jsonl";

    public BoolQ() {
        super("boolq", "BoolQ", FILE);
    }

    @Override
    public List<Item> load(Path dir) {
        Path path = dir.resolve(FILE);
        String template = EvalPrompts.template(name());
        List<Item> items = new ArrayList<>();
        DataFiles.jsonLines(path, (no, node) -> {
            String passage = DataFiles.text(path, no, node, "passage");
            int cut = passage.indexOf(" -- ");
            if (cut < 0) {
                throw new T2lException(path + ":" + no + ": field \"passage\": expected \"title -- text\", found no \" -- \"");
            }
            String label = DataFiles.text(path, no, node, "label");
            if (!label.equals("true") && !label.equals("false")) {
                throw new T2lException(path + ":" + no + ": field \"label\": expected \"true\" or \"false\", found \"" + label + "\"");
            }
            ObjectNode example = Json.MAPPER.createObjectNode();
            example.put("passage", passage.substring(cut + 4));
            example.put("question", DataFiles.text(path, no, node, "question"));
            // the reference's gold is Python str(bool): "True" / "False"
            String gold = label.equals("true") ? "True" : "False";
            items.add(new Item(DataFiles.text(path, no, node, "idx"), PyFormat.format(template, example), gold));
        });
        return items;
    }

    @Override
    public Verdict score(Item item, String output) {
        return BoolFlex.score(output, item.gold());
    }
}
