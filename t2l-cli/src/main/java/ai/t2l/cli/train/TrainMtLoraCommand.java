package ai.t2l.cli.train;

import ai.djl.ndarray.NDManager;
import ai.t2l.lora.PeftAdapter;
import ai.t2l.model.ModelConfig;
import ai.t2l.model.Transformer;
import ai.t2l.tokenizer.Tokenizer;
import ai.t2l.train.Rng;
import ai.t2l.train.SftTrainer;
import ai.t2l.train.SharedLora;
import ai.t2l.train.TrainListener;
import ai.t2l.train.TransformerLm;
import ai.t2l.train.data.PreparedTask;
import ai.t2l.train.run.RunFolder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code t2l train mt-lora}: the multi-task LoRA baseline (spec §9), the SFT loop with one shared LoRA. */
@Command(name = "mt-lora", mixinStandardHelpOptions = true,
        description = "Train one LoRA on all tasks (multi-task baseline, spec 9); writes RUN_DIR/adapter (PEFT).")
public final class TrainMtLoraCommand extends TrainRun {
    @Override
    String kind() {
        return "mt-lora";
    }

    @Override
    Map<String, Object> defaults() {
        return Keys.of(Keys.data(), Keys.optim(2.5e-5, 1e-3, 0.2), Keys.lora(0.05), Keys.steps(20000, 10000),
                Map.of("tasks_per_batch", 8, "points_per_task", 1, "label_smoothing", 0.1, "neftune_alpha", 5.0,
                        "val_every", 10000), BenchmarkSelection.keys());
    }

    @Override
    void estimate(Settings s, PrintWriter out) {
        ModelConfig mc = ModelConfig.read(s.requirePath("model"));
        Estimates.print(out, Estimates.baseParams(mc), Estimates.loraParams(mc, TaskInputs.lora(s)),
                Estimates.activationBytes(mc, s.integer("tasks_per_batch") * s.integer("points_per_task"),
                        s.integer("max_length")));
    }

    @Override
    void train(Settings s, RunFolder run, TrainListener listener, PrintWriter out) {
        TaskInputs.checkContamination(s, listener); // before any model is loaded (issue 12 item 9)
        Path modelDir = s.requirePath("model");
        try (Transformer model = Transformer.load(modelDir);
                Tokenizer tok = Tokenizer.open(TaskInputs.tokenizerDir(s, modelDir));
                NDManager m = NDManager.newBaseManager()) {
            List<PreparedTask> tasks = TaskInputs.prepareWithValTasks(TaskInputs.read(s, false, listener::onMessage), tok, model.config(), s, listener);
            TransformerLm lm = new TransformerLm(model);
            // the LoRA's init draws from its own stream, separate from the trainer's (seeded the same way as lora)
            try (SharedLora lora = new SharedLora(m, TaskInputs.lora(s), lm, new Rng(s.lng("seed") + 1))) {
                var chat = new ai.t2l.generate.ChatModel(model, tok, ai.t2l.tokenizer.ChatFormat.forModel(modelDir));
                var selection = BenchmarkSelection.forSharedAdapter(s, lora::toLoraWeights, chat, run.dir(), listener);
                var r = SftTrainer.train(lm, lora, tasks, null, TrainSftCommand.config(s, 0),
                        TaskInputs.encoder(tok, model.config(), s).padId(), run, listener, selection);
                Path dir = run.dir().resolve("adapter");
                PeftAdapter.write(dir, lora.toLoraWeights(), modelDir.toString(), null, true);
                out.printf("wrote %s (%d steps; loss %.4f -> %.4f)%s%n", dir, r.steps(), r.firstLoss(), r.lastLoss(),
                        selection == null ? "" : String.format(java.util.Locale.ROOT,
                                "; selected step %d, benchmark_avg %.2f%s (RUN/selection.json)", r.bestStep(),
                                r.bestScore(), r.stoppedEarly() ? ", stopped early" : ""));
            }
        }
    }
}
