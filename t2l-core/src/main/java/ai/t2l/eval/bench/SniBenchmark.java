package ai.t2l.eval.bench;

import ai.t2l.eval.rouge.Rouge;
import ai.t2l.train.data.SniSplit;
import ai.t2l.train.data.SniTasks;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Super-NaturalInstructions (lots-of-LoRAs) task evaluated as the reference evaluates its {@code lol_*} tasks
 * (hm/vllm_eval.py {@code eval}, {@code task.startswith("lol")} branch, spec §8.2): the task's test part
 * ({@code split="test"}; see {@link SniSplit} for how it is drawn from the task file), the prompt
 * {@code LOL_TEMPLATE = "{task_def}\n\n{problem}"} with an empty system message and no prefill, ICL and
 * task-description prefixes ignored (that branch returns before building them), and ROUGE-L F with the stemmer
 * ({@link Rouge}) as the score; the result is the mean per-item {@code rougeL_fmeasure} in percent.
 */
public final class SniBenchmark implements Benchmark {
    private final Path file;
    private final String name;

    public SniBenchmark(Path file) {
        this.file = file;
        this.name = SniTasks.taskName(file);
    }

    @Override
    public String name() {
        return name;
    }

    /** The table column: the task and the metric, since it is not an accuracy like the benchmarks' columns. */
    @Override
    public String column() {
        return name + " R-L";
    }

    @Override
    public String metric() {
        return "rougeL_fmeasure";
    }

    @Override
    public List<String> files() {
        return List.of(file.toString());
    }

    /** The test part of the task file; the benchmarks folder plays no part. */
    @Override
    public List<Item> load(Path benchmarksDir) {
        List<Item> out = new ArrayList<>();
        for (SniTasks.Instance i : SniTasks.instances(file, SniSplit.Part.TEST)) {
            out.add(new Item(i.id(), i.example().prompt(), i.example().response()));
        }
        return out;
    }

    @Override
    public boolean iclAnswerPrefill() {
        return false;
    }

    @Override
    public boolean usesPrefix() {
        return false;
    }

    /**
     * {@code scorer.score(target=gold, prediction=output)}; correct means a perfect ROUGE-L (F = 1), for the progress
     * line; the score is the F value.
     */
    @Override
    public Verdict score(Item item, String output) {
        Rouge.Scores s = Rouge.score(item.gold(), output);
        String detail = String.format(Locale.ROOT, "rougeL P=%.4f R=%.4f F=%.4f; rouge1 F=%.4f", s.rougeL().precision(),
                s.rougeL().recall(), s.rougeL().fmeasure(), s.rouge1().fmeasure());
        return new Verdict(output.strip(), s.rougeL().fmeasure() == 1.0, detail, s.rougeL().fmeasure());
    }
}
