package ai.t2l.cli;

import ai.t2l.eval.EvalRequest;
import ai.t2l.eval.EvalSettings;
import ai.t2l.eval.Evaluation;
import ai.t2l.eval.PromptOptions;
import ai.t2l.eval.Scorer;
import ai.t2l.eval.sandbox.SandboxMode;
import ai.t2l.eval.ProgressListener;
import ai.t2l.eval.bench.Benchmarks;
import ai.t2l.eval.report.CombinedTable;
import ai.t2l.eval.report.Formats;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code t2l eval run}: generate, score and report, resuming from the output folder's cache. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Evaluate a model (base, --adapter, or --t2l protocol) on benchmarks; resumable.")
public final class EvalRunCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    WeightsOption weights;

    @picocli.CommandLine.Mixin
    HeadsOption heads;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Base model folder (Hugging Face layout).")
    Path model;

    @Option(names = "--adapter", paramLabel = "DIR", description = "A PEFT adapter folder applied to every prompt.")
    Path adapter;

    @Option(names = "--t2l", paramLabel = "DIR", description = "A T2L checkpoint folder: run the spec §8.3 protocol.")
    Path t2l;

    @Option(names = "--tasks", required = true, paramLabel = "a,b,...",
            description = "Benchmarks, comma-separated, or 'all'; also SNI tasks (lol_NNN with --sni-dir, or a"
                    + " taskNNN_*.json path), scored with ROUGE-L.")
    String tasks;

    @Option(names = "--sni-dir", paramLabel = "DIR",
            description = "Super-NaturalInstructions task files (natural-instructions/tasks) for lol_NNN tasks.")
    Path sniDir;

    @Option(names = "--limit", paramLabel = "N", description = "Only the first N items of each benchmark.")
    int limit;

    @Option(names = "--icl", description = "Prepend the fixed 3-shot examples (spec §8.3).")
    boolean icl;

    @Option(names = "--task-desc", description = "Prepend the task description (spec §8.3).")
    boolean taskDesc;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (cache, results, report).")
    Path out;

    @Option(names = "--batch-size", paramLabel = "N", description = "Prompts per generation batch (default: the model's).")
    int batchSize;

    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "512", description = "Default: ${DEFAULT-VALUE} (spec §8.1).")
    int maxNewTokens;

    @Option(names = "--data", paramLabel = "DIR", description = "Benchmarks folder (default: ../shared/data/benchmarks).")
    Path data;

    @Option(names = "--descriptions", paramLabel = "DIR", description = "T2L description data (default: ../shared/data/t2l-descriptions).")
    Path descriptions;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the other-task description draw (--t2l).")
    long seed;

    @Option(names = "--t2l-protocol", paramLabel = "auto|descriptions|one-hot|hyperdecoder", defaultValue = "auto",
            description = "With --t2l: descriptions (spec 8.3), one-hot (a one-hot T2L: own id, another task's id, "
                    + "Dirichlet mixtures) or hyperdecoder (one adapter per item from its prompt); auto (default) "
                    + "follows the checkpoint (docs/EVALUATION.md).")
    String t2lProtocol;

    @Option(names = "--sandbox", defaultValue = "strong", paramLabel = "strong|weak",
            description = "Containment of the model-written code of humaneval/mbpp (docs/SANDBOX.md). Default: ${DEFAULT-VALUE}; "
                    + "weak only where bubblewrap cannot run (recorded in the results).")
    String sandbox;

    @Option(names = "--lora-scale", paramLabel = "adapter|vllm-0.5.4", defaultValue = "adapter",
            description = "Adapter scale: the adapter's own (PEFT; alpha/sqrt(r) with rsLoRA, default) or vllm-0.5.4"
                    + " (alpha/r, as the reference's evaluation engine applied it; see docs/FIDELITY.md).")
    String loraScale;

    @Override
    public Integer call() {
        SandboxMode mode = SandboxMode.parse(sandbox);
        var benchmarks = Benchmarks.parse(tasks, sniDir);
        // SNI tasks read their own files: the benchmarks folder is needed only when a benchmark is asked for
        boolean onlySni = benchmarks.stream().allMatch(b -> b instanceof ai.t2l.eval.bench.SniBenchmark);
        Path dataDir = onlySni && data == null ? out : SharedData.locate(data, "benchmarks", "--data");
        var protocol = ai.t2l.eval.t2l.T2lMode.parse(t2lProtocol);
        if (t2l == null && protocol != null) {
            throw new ai.t2l.io.T2lException("--t2l-protocol " + t2lProtocol + " needs --t2l DIR");
        }
        Path descDir = null;
        if (t2l != null && (protocol == null || protocol == ai.t2l.eval.t2l.T2lMode.DESCRIPTIONS)) {
            try {
                descDir = SharedData.locate(descriptions, "t2l-descriptions", "--descriptions");
            } catch (ai.t2l.io.T2lException e) {
                if (descriptions != null || protocol != null) {
                    throw e;
                }
                // auto: only the descriptions protocol reads them; it says so if the checkpoint needs them
            }
        }
        Scorer scorer = new Scorer(mode);
        for (var b : benchmarks) {
            String containment = scorer.containment(b); // fails closed before any generation, not after an hour of it
            if (containment != null) {
                System.err.println("code sandbox: " + containment);
                break;
            }
        }
        EvalSettings settings = EvalSettings.of(dataDir, out).withLimit(limit).withBatchSize(batchSize)
                .withMaxNewTokens(maxNewTokens).withScorer(scorer)
                .withLoraScale(ai.t2l.lora.LoraScale.parse(loraScale));
        EvalRequest req = new EvalRequest(model, Optional.ofNullable(adapter), Optional.ofNullable(t2l), benchmarks,
                new PromptOptions(icl, taskDesc), settings, descDir, seed).withT2lMode(protocol);
        Map<String, ProgressBar> bars = new HashMap<>();
        ProgressListener progress = (condition, task, done, total, correct) -> {
            ProgressBar bar = bars.computeIfAbsent(condition + " " + task, name -> Terminal.bar(name, total, System.err)
                    .continuousUpdate().build());
            bar.stepTo(done);
            bar.setExtraMessage(String.format(java.util.Locale.ROOT, "acc %.2f%%", done == 0 ? 0.0 : 100.0 * correct / done));
            if (done == total) {
                bar.close();
            }
        };
        CombinedTable table;
        try {
            table = Evaluation.run(req, progress);
        } finally {
            bars.values().forEach(ProgressBar::close);
        }
        System.out.print(Formats.markdown(table));
        System.out.println("report: " + out.resolve("results.md") + ", results.csv, results.svg");
        return 0;
    }
}
