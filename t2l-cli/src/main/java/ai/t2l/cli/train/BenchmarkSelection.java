package ai.t2l.cli.train;

import ai.t2l.cli.SharedData;
import ai.t2l.embed.TaskEmbedder;
import ai.t2l.eval.Condition;
import ai.t2l.eval.EvalRunner;
import ai.t2l.eval.EvalSettings;
import ai.t2l.eval.ProgressListener;
import ai.t2l.eval.PromptOptions;
import ai.t2l.eval.bench.Benchmark;
import ai.t2l.eval.bench.Benchmarks;
import ai.t2l.eval.runtime.RuntimeCompletionModel;
import ai.t2l.eval.t2l.T2lDescriptions;
import ai.t2l.generate.ChatModel;
import ai.t2l.hypernet.HyperModulator;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraWeights;
import ai.t2l.train.CheckpointSelection;
import ai.t2l.train.TrainListener;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The reference watcher's checkpoint score (spec §6.6) through {@code ai.t2l.eval}: for each selection benchmark,
 * one adapter per held-out description ({@code eval_descs}, eval_descriptions.json), each evaluated on the first
 * {@code select_limit} items, averaged per benchmark, then over benchmarks ({@code benchmark_avg}). Completions are
 * cached under {@code RUN/selection/it_<step>/}, so a resumed run re-scores a checkpoint without generating again.
 */
final class BenchmarkSelection {
    private BenchmarkSelection() {}

    /** The settings of this feature, added to {@code t2l train sft}'s. */
    static Map<String, Object> keys() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("select_tasks", List.of()); // benchmarks scored at every validation point; empty: no selection
        m.put("select_limit", 500); // items per benchmark (the reference: its 500-item validation splits)
        m.put("select_max_new_tokens", 512); // the reference's vLLM max_tokens (spec §8.1)
        m.put("select_patience", 50); // checkpoints without improvement before stopping (the reference: 50)
        m.put("select_data", ""); // benchmark files; default ../shared/data/benchmarks
        m.put("select_descriptions", ""); // eval_descriptions.json's folder; default ../shared/data/t2l-descriptions
        return m;
    }

    /** Null when 'select_tasks' is empty. */
    static CheckpointSelection of(Settings s, HyperModulator hyper, TaskEmbedder embedder, ChatModel chat, Path runDir,
            TrainListener listener) {
        List<String> names = s.list("select_tasks");
        if (names.isEmpty()) {
            return null;
        }
        List<Benchmark> tasks = Benchmarks.parse(String.join(",", names));
        Path data = SharedData.locate(s.path("select_data"), "benchmarks", "setting select_data");
        Path descDir = SharedData.locate(s.path("select_descriptions"), "t2l-descriptions", "setting select_descriptions");
        Map<String, List<String>> heldOut = T2lDescriptions.load(descDir).evalDescriptions();
        Map<String, float[]> embedded = new HashMap<>();
        for (Benchmark b : tasks) {
            List<String> d = heldOut.get(b.name());
            if (d == null || d.isEmpty()) {
                throw new T2lException("setting select_tasks: " + b.name() + " has no held-out descriptions in "
                        + descDir.resolve("eval_descriptions.json"));
            }
            d.forEach(x -> embedded.computeIfAbsent(x, k -> embedder.embed(k).vector()));
        }
        int limit = s.integer("select_limit");
        int maxNew = s.integer("select_max_new_tokens");
        return new CheckpointSelection(step -> {
            EvalRunner runner = runner(runDir, step, data, limit, maxNew);
            double sum = 0;
            for (Benchmark b : tasks) {
                List<String> descs = heldOut.get(b.name());
                double task = 0;
                for (int i = 0; i < descs.size(); i++) {
                    hyper.setTraining(false); // no dropout: the adapter the checkpoint would generate
                    LoraWeights w = hyper.generate(embedded.get(descs.get(i)));
                    task += accuracy(runner, chat, w, "t2l-eval_descs/lora_" + i + "/base", "T2L (eval_descs)", b, step);
                }
                sum += task / descs.size();
            }
            double avg = sum / tasks.size();
            listener.onMessage("step " + step + ": benchmark_avg " + avg + " over " + names);
            return avg;
        }, s.integer("select_patience"));
    }

    /**
     * The multi-task LoRA's selection (spec §9: the watcher selects it by plain {@code benchmark_avg}): the shared
     * adapter as it is at the checkpoint, on each selection benchmark. Null when 'select_tasks' is empty.
     */
    static CheckpointSelection forSharedAdapter(Settings s, java.util.function.Supplier<LoraWeights> adapter,
            ChatModel chat, Path runDir, TrainListener listener) {
        List<String> names = s.list("select_tasks");
        if (names.isEmpty()) {
            return null;
        }
        List<Benchmark> tasks = Benchmarks.parse(String.join(",", names));
        Path data = SharedData.locate(s.path("select_data"), "benchmarks", "setting select_data");
        int limit = s.integer("select_limit");
        int maxNew = s.integer("select_max_new_tokens");
        return new CheckpointSelection(step -> {
            EvalRunner runner = runner(runDir, step, data, limit, maxNew);
            LoraWeights w = adapter.get();
            double sum = 0;
            for (Benchmark b : tasks) {
                sum += accuracy(runner, chat, w, "mt-lora/base", "MT LoRA", b, step);
            }
            double avg = sum / tasks.size();
            listener.onMessage("step " + step + ": benchmark_avg " + avg + " over " + names);
            return avg;
        }, s.integer("select_patience"));
    }

    private static EvalRunner runner(Path runDir, long step, Path data, int limit, int maxNew) {
        Path out = runDir.resolve("selection").resolve("it_" + step);
        return new EvalRunner(EvalSettings.of(data, out).withLimit(limit).withMaxNewTokens(maxNew),
                ProgressListener.NONE);
    }

    /** One adapter's accuracy (percent) on one benchmark; completions cached in the runner's folder. */
    private static double accuracy(EvalRunner runner, ChatModel chat, LoraWeights w, String key, String row,
            Benchmark b, long step) {
        Condition c = new Condition(key, row, PromptOptions.BASE, Optional.empty());
        try (RuntimeCompletionModel m = new RuntimeCompletionModel(chat, false, w, "checkpoint it_" + step,
                RuntimeCompletionModel.AdapterMode.UNMERGED, 8)) {
            return runner.run(m, c, b).score();
        }
    }
}
