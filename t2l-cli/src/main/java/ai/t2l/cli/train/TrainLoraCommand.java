package ai.t2l.cli.train;

import ai.t2l.io.T2lException;
import ai.t2l.model.ModelConfig;
import ai.t2l.model.Transformer;
import ai.t2l.tokenizer.Tokenizer;
import ai.t2l.train.OptimConfig;
import ai.t2l.train.OracleLoraTrainer;
import ai.t2l.train.TrainListener;
import ai.t2l.train.TransformerLm;
import ai.t2l.train.data.PreparedTask;
import ai.t2l.train.data.TaskData;
import ai.t2l.train.run.RunFolder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code t2l train lora}: one oracle LoRA for one task (spec §5.1); writes RUN/adapter (PEFT). */
@Command(name = "lora", mixinStandardHelpOptions = true,
        description = "Train one task's LoRA (oracle LoRA, spec 5.1); writes RUN_DIR/adapter as a PEFT folder.")
public final class TrainLoraCommand extends TrainRun {
    @Override
    String kind() {
        return "lora";
    }

    @Override
    Map<String, Object> defaults() {
        return Keys.of(Keys.data(), Keys.optim(8e-5, 1e-3, 0.1), Keys.lora(0.05), Keys.steps(100, 500),
                Map.of("batch_size", 8, "label_smoothing", 0.1, "neftune_alpha", 5.0, "val_every", 500, "patience", 3));
    }

    static OptimConfig optim(Settings s) {
        return new OptimConfig(s.dbl("lr"), s.dbl("weight_decay"), s.dbl("warmup_frac"), s.dbl("max_grad_norm"));
    }

    @Override
    void estimate(Settings s, PrintWriter out) {
        ModelConfig mc = ModelConfig.read(s.requirePath("model"));
        Estimates.print(out, Estimates.baseParams(mc), Estimates.loraParams(mc, TaskInputs.lora(s)),
                Estimates.activationBytes(mc, s.integer("batch_size"), s.integer("max_length")));
    }

    @Override
    void train(Settings s, RunFolder run, TrainListener listener, PrintWriter out) {
        Path modelDir = s.requirePath("model");
        List<TaskData> data = TaskInputs.read(s, false);
        if (data.size() != 1) {
            throw new T2lException("train lora trains one task's LoRA, but 'tasks' names " + data.size()
                    + " task files; use 'train mt-lora' for one LoRA over several tasks");
        }
        try (Transformer model = Transformer.load(modelDir);
                Tokenizer tok = Tokenizer.open(TaskInputs.tokenizerDir(s, modelDir))) {
            PreparedTask task = TaskInputs.prepare(data, tok, model.config(), s, listener).get(0);
            var c = new OracleLoraTrainer.Config(TaskInputs.lora(s), optim(s), s.integer("batch_size"),
                    s.integer("epochs"), s.lng("max_steps"), s.dbl("label_smoothing"), s.dbl("neftune_alpha"),
                    s.integer("val_every"), s.integer("patience"), s.integer("checkpoint_every"), s.lng("seed"),
                    modelDir.toString());
            int pad = TaskInputs.encoder(tok, model.config(), s).padId();
            var r = OracleLoraTrainer.train(new TransformerLm(model), task, c, pad, run, listener);
            out.printf("wrote %s (%d steps; validation loss %.4f -> best %.4f at step %d)%n",
                    run.dir().resolve("adapter"), r.steps(), r.baseValLoss(), r.bestValLoss(), r.bestStep());
        }
    }
}
