package ai.t2l.eval;

import ai.t2l.eval.bench.Benchmark;
import ai.t2l.eval.report.CombinedTable;
import ai.t2l.eval.report.Report;
import ai.t2l.eval.t2l.T2lDescriptions;
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

    private static void runT2l(EvalRequest req, EvalRunner runner) {
        T2lProtocol protocol = new T2lProtocol(T2lDescriptions.load(req.descriptionsDir()), req.seed());
        Map<String, List<T2lProtocol.Lora>> plan = new LinkedHashMap<>();
        for (Benchmark b : req.tasks()) {
            plan.put(b.name(), protocol.plan(b.name()));
        }
        Path out = req.settings().outDir();
        AtomicFiles.writeString(out.resolve("t2l_plan.json"), Json.write(plan) + "\n");
        AdapterGenerator generator = null;
        try {
            for (Benchmark b : req.tasks()) {
                for (T2lProtocol.Lora lora : plan.get(b.name())) {
                    Path dir = out.resolve("generated_loras").resolve(b.name()).resolve(lora.split()).resolve("lora_" + lora.index());
                    Condition c = scaled(new Condition(lora.key() + "/" + req.prompts().key(),
                            "T2L (" + lora.split() + ")" + req.prompts().label(), req.prompts(), Optional.of(dir)), req);
                    if (runner.cached(c, b)) {
                        runner.run(null, c, b);
                        continue;
                    }
                    if (!Files.isRegularFile(dir.resolve("adapter_config.json"))) {
                        if (generator == null) {
                            generator = EvalRuntime.openGenerator(req.t2lDir().get(), req.modelDir());
                        }
                        generator.generate(lora.description(), dir);
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
