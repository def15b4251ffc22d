package ai.t2l.eval.bench;

import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * OpenBookQA test (500), the official TSV: {@code ID, Question Stem, Choices "(A) .. (D) ..", Complete
 * Question, Answer Key}. The choices split on {@code \s*\(([A-D])\)\s*} (data/benchmarks/openbookqa/SOURCE.md).
 * Ids are {@code ID}.
 */
public final class OpenBookQa extends NamedBenchmark {
    private static final String FILE = "openbookqa/test.tsv";
    private static final String HEADER = "ID\tQuestion Stem\tChoices\tComplete Question\tAnswer Key";
    private static final Pattern LABEL = Pattern.compile("\\s*\\(([A-D])\\)\\s*");

    public OpenBookQa() {
        super("openbookqa", "OQA", FILE);
    }

    @Override
    public List<Item> load(Path dir) {
        Path path = dir.resolve(FILE);
        String template = EvalPrompts.template(name());
        List<Item> items = new ArrayList<>();
        DataFiles.lines(path, (no, line) -> {
            if (no == 1) {
                if (!line.equals(HEADER)) {
                    throw new T2lException(path + ":1: expected the header \"" + HEADER.replace("\t", "\\t")
                            + "\", found \"" + line.replace("\t", "\\t") + "\"");
                }
                return;
            }
            if (line.isEmpty()) {
                return;
            }
            String[] f = line.split("\t", -1);
            if (f.length != 5) {
                throw new T2lException(path + ":" + no + ": expected 5 tab-separated fields, found " + f.length);
            }
            ObjectNode example = Json.MAPPER.createObjectNode();
            example.put("question_stem", f[1]);
            ObjectNode ch = example.putObject("choices");
            ArrayNode labels = ch.putArray("label");
            ArrayNode texts = ch.putArray("text");
            Matcher m = LABEL.matcher(f[2]);
            int prevEnd = -1;
            String prevLabel = null;
            while (m.find()) {
                if (prevLabel != null) {
                    labels.add(prevLabel);
                    texts.add(f[2].substring(prevEnd, m.start()));
                } else if (m.start() != 0) {
                    throw new T2lException(path + ":" + no + ": field \"Choices\": expected \"(A) ...\" at the start");
                }
                prevLabel = m.group(1);
                prevEnd = m.end();
            }
            if (prevLabel != null) {
                labels.add(prevLabel);
                texts.add(f[2].substring(prevEnd));
            }
            if (labels.size() != 4) {
                throw new T2lException(path + ":" + no + ": field \"Choices\": expected 4 choices (A)-(D), found " + labels.size());
            }
            if (!f[4].matches("[A-D]")) {
                throw new T2lException(path + ":" + no + ": field \"Answer Key\": expected A-D, found \"" + f[4] + "\"");
            }
            items.add(new Item(f[0], PyFormat.format(template, example), f[4]));
        });
        return items;
    }

    @Override
    public Verdict score(Item item, String output) {
        return ChoiceScore.score(output, item.gold());
    }
}
