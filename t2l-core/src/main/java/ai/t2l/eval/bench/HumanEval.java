package ai.t2l.eval.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * HumanEval (openai/human-eval {@code HumanEval.jsonl.gz}: task_id, prompt, entry_point,
 * canonical_solution, test). The reference runs HumanEval+ base inputs through evalplus; HumanEval+ is
 * missing here, so the original {@code check(entry_point)} tests run instead (data/benchmarks/MISSING.md).
 * Solution = prompt + completion cut at the first "```" (spec §8.2). Ids are {@code task_id}.
 */
public final class HumanEval extends NamedBenchmark implements CodeBenchmark {
    private static final String FILE = "humaneval/HumanEval.jsonl.gz";

    public HumanEval() {
        super("humaneval", "HE", FILE);
    }

    @Override
    public String metric() {
        return "humaneval_base_pass@1";
    }

    @Override
    public List<Item> load(Path dir) {
        Path path = dir.resolve(FILE);
        List<Item> items = new ArrayList<>();
        DataFiles.jsonLines(path, (no, node) -> {
            String prompt = DataFiles.text(path, no, node, "prompt");
            String entry = DataFiles.text(path, no, node, "entry_point");
            String test = DataFiles.text(path, no, node, "test") + "\n\ncheck(" + entry + ")\n";
            String stripped = prompt.strip();
            String user = "Write a solution to the following problem:\n```python\n" + stripped + "\n```";
            items.add(new Item(DataFiles.text(path, no, node, "task_id"), user, "```python\n" + stripped,
                    DataFiles.text(path, no, node, "canonical_solution"), new CodeTask(prompt, test, false)));
        });
        return items;
    }

    @Override
    public String solution(Item item, String output) {
        return item.code().prompt() + CodeBenchmark.cutAtFence(output);
    }
}
