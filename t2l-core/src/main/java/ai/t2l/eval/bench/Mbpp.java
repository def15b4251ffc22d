package ai.t2l.eval.bench;

import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * MBPP test: task_id 11–510 of the full {@code mbpp.jsonl} (text, code, task_id, test_setup_code,
 * test_list). The reference evaluates MBPP+ (evalplus, base inputs), which is missing here
 * (data/benchmarks/MISSING.md), so the 500 original test problems run with their {@code test_list}
 * asserts. The prompt is rebuilt as MBPP+ shapes it: a docstring holding the text and the first assert.
 * Solution = that docstring + "\n" + completion cut at "```", then evalplus-style sanitisation in the
 * sandbox (spec §8.2). Ids are {@code task_id}.
 */
public final class Mbpp extends NamedBenchmark implements CodeBenchmark {
    private static final String FILE = "mbpp/mbpp.jsonl";
    public static final int FIRST_TEST_ID = 11;
    public static final int LAST_TEST_ID = 510;

    public Mbpp() {
        super("mbpp", "MBPP", FILE);
    }

    @Override
    public String metric() {
        return "mbpp_base_pass@1";
    }

    @Override
    public List<Item> load(Path dir) {
        Path path = dir.resolve(FILE);
        List<Item> items = new ArrayList<>();
        DataFiles.jsonLines(path, (no, node) -> {
            JsonNode idNode = node.get("task_id");
            if (idNode == null || !idNode.canConvertToInt()) {
                throw new T2lException(path + ":" + no + ": field \"task_id\": expected an integer, found "
                        + (idNode == null ? "nothing" : idNode.toString()));
            }
            int id = idNode.asInt();
            if (id < FIRST_TEST_ID || id > LAST_TEST_ID) {
                return;
            }
            String text = DataFiles.text(path, no, node, "text").strip();
            List<String> asserts = new ArrayList<>();
            for (JsonNode a : DataFiles.array(path, no, node, "test_list")) {
                asserts.add(a.asText());
            }
            if (asserts.isEmpty()) {
                throw new T2lException(path + ":" + no + ": field \"test_list\": expected at least one assert, found none");
            }
            items.add(new Item(String.valueOf(id), userMessage(text, asserts.get(0)), "```python",
                    DataFiles.text(path, no, node, "code"),
                    new CodeTask("\"\"\"\n" + text + "\n" + asserts.get(0) + "\n\"\"\"\n",
                            DataFiles.text(path, no, node, "test_setup_code") + "\n" + String.join("\n", asserts) + "\n",
                            true)));
        });
        return items;
    }

    /**
     * Spec §8.2: "{docstring text before the first assert}. Your code should satisfy the following
     * assertion:\n```python\n{assert}\n```". MBPP texts mostly end with a full stop already; one is kept.
     */
    static String userMessage(String text, String firstAssert) {
        String t = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
        return t + ". Your code should satisfy the following assertion:\n```python\n" + firstAssert + "\n```";
    }

    @Override
    public String solution(Item item, String output) {
        return item.code().prompt() + "\n" + CodeBenchmark.cutAtFence(output);
    }
}
