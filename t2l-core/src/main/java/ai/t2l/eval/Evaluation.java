package ai.t2l.eval;

import ai.t2l.eval.bench.Benchmark;
import ai.t2l.eval.report.CombinedTable;
import ai.t2l.eval.report.Report;
import ai.t2l.eval.t2l.OneHotProtocol;
import ai.t2l.eval.t2l.PlannedLora;
import ai.t2l.eval.t2l.T2lDescriptions;
import ai.t2l.eval.t2l.T2lMode;
import ai.t2l.io.T2lException;
import ai.t2l.eval.t2l.T2lProtocol;
import ai.t2l.io.AtomicFiles;
import ai.t2l.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The entry point of {@code t2l eval run}: evaluates the base model (optionally with one adapter) or the
 * T2L protocol of spec §8.3 on the requested benchmarks, then writes the combined report. Models and
 * generators come from {@link EvalRuntime}; nothing is opened when every completion is already cached.
 *
 * <p>Output folder: {@code cache.jsonl}, {@code results/<condition>/<task>.json}, {@code results.md},
 * {@code results.csv}, {@code results.svg}; for T2L also {@code t2l_plan.json} and
 * {@code generated_loras/<task>/<split>/lora_i/}.
 */
public final class Evaluation {
    private Evaluation() {}

    public static CombinedTable run(EvalRequest req, ProgressListener progress) {
        EvalRunner runner = new EvalRunner(req.settings(), progress);
        // load (and so validate) every task's data before any model work
        req.tasks().forEach(runner::items);
        if (req.t2lDir().isPresent()) {
            runT2l(req, runner);
        } else {
            Condition c = req.adapterDir().isPresent()
                    ? scaled(Condition.adapter(req.modelName(), req.adapterDir().get(), req.prompts()), req)
                    : Condition.base(req.modelName(), req.prompts());
            runCondition(req, runner, c, req.tasks());
        }
        return Report.write(List.of(req.settings().outDir()), req.settings().outDir());
    }

    private static void runCondition(EvalRequest req, EvalRunner runner, Condition c, List<Benchmark> tasks) {
        boolean needModel = tasks.stream().anyMatch(b -> !runner.cached(c, b));
        try (CompletionModel model = needModel
                ? EvalRuntime.openModel(req.modelDir(), c.adapter(), req.settings().loraScale()) : null) {
            for (Benchmark b : tasks) {
                runner.run(model, c, b);
            }
        }
    }

    /**
     * The protocol the request asks for, else the one the checkpoint calls for; a protocol the checkpoint cannot
     * follow is refused before anything is generated.
     */
    private static void runT2l(EvalRequest req, EvalRunner runner) {
        T2lMode.Checkpoint ck = EvalRuntime.describeCheckpoint(req.t2lDir().get(), req.modelDir());
        T2lMode mode = req.t2lMode() != null ? req.t2lMode() : ck.mode();
        if ((mode == T2lMode.ONE_HOT) != (ck.mode() == T2lMode.ONE_HOT)) {
            throw new T2lException(req.t2lDir().get() + ": " + (ck.mode() == T2lMode.ONE_HOT
                    ? "a one-hot T2L reads one-hot task ids, not text, so it cannot follow the " + mode.id()
                            + " protocol; use --t2l-protocol one-hot (or auto)"
                    : "not a one-hot T2L (it reads description embeddings), so the one-hot protocol does not apply;"
                            + " use --t2l-protocol descriptions or hyperdecoder"));
        }
        switch (mode) {
            case ONE_HOT -> runOneHot(req, runner, ck.oneHotTasks());
            case HYPERDECODER -> runHyperdecoder(req, runner);
            case DESCRIPTIONS -> runDescriptions(req, runner);
        }
    }

    /**
     * One-hot T2L (spec §9, {@link OneHotProtocol}): the task's own id, another task's, 3 Dirichlet(1) mixtures;
     * every requested task must be a training task of the checkpoint (checked for all before any work).
     */
    private static void runOneHot(EvalRequest req, EvalRunner runner, List<String> trainingTasks) {
        OneHotProtocol protocol = new OneHotProtocol(trainingTasks, req.seed());
        runPlan(req, runner, protocol::plan, lora -> ONE_HOT_ROWS.get(lora.split()),
                (generator, lora, dir) -> generator.generate(lora.vector(), lora.input(), dir));
    }

    /** Row labels of the one-hot protocol's splits (the reference's split names, said plainly). */
    static final Map<String, String> ONE_HOT_ROWS = Map.of(
            "train_descs", "One-hot T2L (train_descs: own task id)",
            "other_train_descs", "One-hot T2L (other_train_descs: another task's id)",
            "random_descs", "One-hot T2L (random_descs: Dirichlet mixtures)");

    /** The row of the Hyperdecoders protocol (the paper's name for the baseline). */
    public static final String HYPERDECODER_ROW = "Hyperdecoders (one adapter per item)";

    /**
     * Hyperdecoders (spec §9, scripts/eval_hyperdecoders_checkpoint.py): every item answered with its own adapter,
     * generated from the item's user message (the reference: {@code TASK_TEMPLATES[task].format(example)}, which
     * is our base user message; with --icl or --task-desc the prefixed message is the input). Adapters live in
     * memory only (the reference writes one folder per item); completions are cached as for any condition.
     */
    private static void runHyperdecoder(EvalRequest req, EvalRunner runner) {
        Condition c = scaled(new Condition("hyperdecoder/" + req.prompts().key(), HYPERDECODER_ROW
                + req.prompts().label(), req.prompts(), Optional.empty()), req);
        AdapterGenerator generator = null;
        CompletionModel model = null;
        try {
            for (Benchmark b : req.tasks()) {
                if (!runner.cached(c, b) && model == null) {
                    generator = EvalRuntime.openGenerator(req.t2lDir().get(), req.modelDir());
                    model = generator.perPromptModel(req.modelDir(), req.settings().loraScale());
                }
                runner.run(model, c, b);
            }
        } finally {
            try {
                if (model != null) {
                    model.close();
                }
            } finally {
                if (generator != null) {
                    generator.close();
                }
            }
        }
    }

    private static void runDescriptions(EvalRequest req, EvalRunner runner) {
        if (req.descriptionsDir() == null) {
            throw new T2lException("the T2L protocol needs the description data (../shared/data/t2l-descriptions); "
                    + "pass --descriptions DIR");
        }
        T2lProtocol protocol = new T2lProtocol(T2lDescriptions.load(req.descriptionsDir()), req.seed());
        runPlan(req, runner, protocol::plan, lora -> "T2L (" + lora.split() + ")",
                (generator, lora, dir) -> generator.generate(lora.description(), dir));
    }

    /** Writes one planned adapter into its folder. */
    private interface AdapterWriter<L> {
        void write(AdapterGenerator generator, L lora, Path dir);
    }

    /**
     * Runs a T2L plan (descriptions or one-hot ids): the plan is written to {@code t2l_plan.json} first; each
     * adapter goes to the reference's {@code generated_loras/<task>/<split>/lora_i}, generated only when neither its
     * completions are cached nor its folder is there, and the hypernetwork is opened only if something needs it.
     */
    private static <L extends PlannedLora> void runPlan(EvalRequest req, EvalRunner runner,
            Function<String, List<L>> planner, Function<L, String> row, AdapterWriter<L> writer) {
        Map<String, List<L>> plan = new LinkedHashMap<>();
        for (Benchmark b : req.tasks()) {
            plan.put(b.name(), planner.apply(b.name()));
        }
        Path out = req.settings().outDir();
        AtomicFiles.writeString(out.resolve("t2l_plan.json"), Json.write(plan) + "\n");
        AdapterGenerator generator = null;
        try {
            for (Benchmark b : req.tasks()) {
                for (L lora : plan.get(b.name())) {
                    Path dir = out.resolve("generated_loras").resolve(b.name()).resolve(lora.split())
                            .resolve("lora_" + lora.index());
                    Condition c = scaled(new Condition(lora.key() + "/" + req.prompts().key(),
                            row.apply(lora) + req.prompts().label(), req.prompts(), Optional.of(dir)), req);
                    if (runner.cached(c, b)) {
                        runner.run(null, c, b);
                        continue;
                    }
                    if (!Files.isRegularFile(dir.resolve("adapter_config.json"))) {
                        if (generator == null) {
                            generator = EvalRuntime.openGenerator(req.t2lDir().get(), req.modelDir());
                        }
                        writer.write(generator, lora, dir);
                    }
                    runCondition(req, runner, c, List.of(b));
                }
            }
        } finally {
            if (generator != null) {
                generator.close();
            }
        }
    }

    /**
     * An adapter condition under a non-default LoRA scale gets its own cache key and row, so the two scales never
     * share completions (issue 12 item 7).
     */
    private static Condition scaled(Condition c, EvalRequest req) {
        ai.t2l.lora.LoraScale s = req.settings().loraScale();
        if (s == ai.t2l.lora.LoraScale.ADAPTER) {
            return c;
        }
        return new Condition("scale-" + s.id() + "/" + c.key(), c.row() + " [" + s.id() + " scale]", c.prompts(),
                c.adapter());
    }

    /** The T2L plan for the given tasks without running anything (for inspection and tests). */
    public static Map<String, List<T2lProtocol.Lora>> plan(Path descriptionsDir, List<Benchmark> tasks, long seed) {
        T2lProtocol protocol = new T2lProtocol(T2lDescriptions.load(descriptionsDir), seed);
        Map<String, List<T2lProtocol.Lora>> plan = new LinkedHashMap<>();
        tasks.forEach(b -> plan.put(b.name(), new ArrayList<>(protocol.plan(b.name()))));
        return plan;
    }
}
