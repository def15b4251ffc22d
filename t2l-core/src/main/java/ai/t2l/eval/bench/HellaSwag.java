package ai.t2l.eval.bench;

import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * HellaSwag validation (10,042), from klosax's text file: 6 lines per item, "activity_label: ctx", the
 * label 0–3, then the 4 endings. The original jsonl is missing (data/benchmarks/MISSING.md), so WikiHow
 * items carry that file's cleanup of "[title]"/"[step]" markers where the reference shows the raw HF
 * {@code ctx}. The label is cut at the first ": ". No id field: ids are 0-based item indexes.
 */
public final class HellaSwag extends NamedBenchmark {
    private static final String FILE = "hellaswag/hellaswag_val_full.txt";

    public HellaSwag() {
        super("hellaswag", "HS", FILE);
    }

    @Override
    public List<Item> load(Path dir) {
        Path path = dir.resolve(FILE);
        String template = EvalPrompts.template(name());
        List<Item> items = new ArrayList<>();
        String[] block = new String[6];
        int[] firstLine = new int[1];
        DataFiles.lines(path, (no, line) -> {
            int k = (no - 1) % 6;
            if (k == 0) {
                firstLine[0] = no;
                if (line.isEmpty()) {
                    return; // a trailing newline gives one empty last line
                }
            }
            block[k] = line;
            if (k == 5) {
                items.add(item(path, firstLine[0], block, template, items.size()));
            }
        });
        return items;
    }

    private static Item item(Path path, int no, String[] b, String template, int index) {
        int colon = b[0].indexOf(": ");
        if (colon < 0) {
            throw new T2lException(path + ":" + no + ": expected \"activity_label: context\", found \"" + b[0] + "\"");
        }
        if (!b[1].matches("[0-3]")) {
            throw new T2lException(path + ":" + (no + 1) + ": expected the label 0, 1, 2 or 3, found \"" + b[1] + "\"");
        }
        ObjectNode example = Json.MAPPER.createObjectNode();
        example.put("ctx", b[0].substring(colon + 2));
        ArrayNode endings = example.putArray("endings");
        for (int i = 2; i < 6; i++) {
            endings.add(b[i]);
        }
        return new Item(String.valueOf(index), PyFormat.format(template, example), b[1]);
    }

    @Override
    public Verdict score(Item item, String output) {
        return ChoiceScore.score(output, item.gold());
    }
}
