package ai.t2l.cli;

import ai.t2l.eval.Predictions;
import ai.t2l.eval.Scorer;
import ai.t2l.eval.TaskResult;
import ai.t2l.eval.bench.Benchmark;
import ai.t2l.eval.bench.Benchmarks;
import ai.t2l.eval.sandbox.SandboxMode;
import ai.t2l.io.AtomicFiles;
import ai.t2l.io.Json;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code t2l eval score}: score generations made elsewhere with our extraction and scorers. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Score a JSON Lines file of {\"id\", \"text\"} predictions for one benchmark.")
public final class EvalScoreCommand implements Callable<Integer> {
    @Option(names = "--task", required = true, paramLabel = "NAME",
            description = "The benchmark, e.g. gsm8k; or an SNI task (lol_NNN with --sni-dir, or a taskNNN_*.json path).")
    String task;

    @Option(names = "--sni-dir", paramLabel = "DIR",
            description = "Super-NaturalInstructions task files (natural-instructions/tasks) for lol_NNN.")
    Path sniDir;

    @Option(names = "--predictions", required = true, paramLabel = "FILE.jsonl",
            description = "One {\"id\": ..., \"text\": ...} per line; id = the benchmark's id field or the 0-based item index.")
    Path predictions;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the per-item verdicts (JSON) here.")
    Path out;

    @Option(names = "--data", paramLabel = "DIR", description = "Benchmarks folder (default: ../shared/data/benchmarks).")
    Path data;

    @Option(names = "--sandbox", defaultValue = "strong", paramLabel = "strong|weak",
            description = "Containment of the code of humaneval/mbpp (docs/SANDBOX.md). Default: ${DEFAULT-VALUE}.")
    String sandbox;

    @Override
    public Integer call() {
        SandboxMode mode = SandboxMode.parse(sandbox);
        Benchmark b = Benchmarks.parse(task, sniDir).get(0);
        var preds = Predictions.read(predictions);
        var items = b.load(b instanceof ai.t2l.eval.bench.SniBenchmark && data == null ? null
                : SharedData.locate(data, "benchmarks", "--data"));
        TaskResult r = Predictions.score(b, items, preds, predictions, new Scorer(mode));
        if (out != null) {
            AtomicFiles.writeString(out, Json.write(r) + "\n");
        }
        System.out.printf(Locale.ROOT, "%s %s: %.2f (%d/%d items%s)%n", b.name(), b.metric(), r.score(), r.correct(), r.n(),
                r.n() < items.size() ? ", " + (items.size() - r.n()) + " without predictions left out" : "");
        if (r.sandbox() != null) {
            System.out.println("code sandbox: " + r.sandbox());
        }
        return 0;
    }
}
