package ai.t2l.cli.train;

import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import ai.t2l.model.ModelConfig;
import ai.t2l.model.Transformer;
import ai.t2l.tokenizer.Tokenizer;
import ai.t2l.train.BaseModelTrainer;
import ai.t2l.train.BaseModels;
import ai.t2l.train.TrainListener;
import ai.t2l.train.data.PreparedTask;
import ai.t2l.train.run.RunFolder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * {@code t2l train base}: full-parameter training of a base model, fresh from a config.json ('model_config') or
 * continued from a model folder ('model'); writes RUN/model, a Hugging Face model folder.
 */
@Command(name = "base", mixinStandardHelpOptions = true,
        description = "Train every weight of a base model (fresh from model_config, or continued from model);"
                + " writes RUN_DIR/model as a Hugging Face model folder.")
public final class TrainBaseCommand extends TrainRun {
    @Override
    String kind() {
        return "base";
    }

    @Override
    Map<String, Object> defaults() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_config", ""); // a config.json: start from seeded random weights
        return Keys.of(Keys.data(), m, Keys.optim(3e-4, 0.1, 0.1), Keys.steps(1, 500),
                Map.of("batch_size", 16, "length_pool", 1, "label_smoothing", 0.0, "neftune_alpha", 0.0, "val_every", 0));
    }

    private static ModelConfig config(Settings s) {
        Path cfg = s.path("model_config");
        Path model = s.path("model");
        if ((cfg == null) == (model == null)) {
            throw new T2lException("train base needs exactly one of 'model_config' (a config.json to start from random"
                    + " weights) and 'model' (a model folder to continue)");
        }
        return cfg != null ? ModelConfig.parse(Json.read(cfg), cfg.toString()) : ModelConfig.read(model);
    }

    @Override
    void estimate(Settings s, PrintWriter out) {
        ModelConfig mc = config(s);
        Estimates.print(out, 0, Estimates.baseParams(mc),
                Estimates.activationBytes(mc, s.integer("batch_size"), s.integer("max_length")));
    }

    @Override
    Map<String, Path> inputs(Settings s) {
        Map<String, Path> in = super.inputs(s);
        if (s.path("model_config") != null) {
            in.put("model_config", s.path("model_config"));
        }
        return in;
    }

    @Override
    void train(Settings s, RunFolder run, TrainListener listener, PrintWriter out) {
        ModelConfig mc = config(s);
        Path model = s.path("model");
        Path tokDir = TaskInputs.tokenizerDir(s, model != null ? model
                : s.path("model_config").toAbsolutePath().getParent());
        try (Transformer t = model != null ? Transformer.load(model) : BaseModels.fresh(mc, s.lng("seed"));
                Tokenizer tok = Tokenizer.open(tokDir)) {
            if (tok.size() > mc.vocabSize()) {
                throw new T2lException(tokDir + ": the tokenizer has " + tok.size() + " ids but the model's vocab_size"
                        + " is " + mc.vocabSize());
            }
            List<PreparedTask> tasks = TaskInputs.prepare(TaskInputs.read(s, false), tok, mc, s, listener);
            var c = new BaseModelTrainer.Config(TrainLoraCommand.optim(s), s.integer("batch_size"),
                    s.integer("length_pool"), s.integer("epochs"),
                    s.lng("max_steps"), s.dbl("label_smoothing"), s.dbl("neftune_alpha"), s.integer("val_every"),
                    s.integer("checkpoint_every"), s.lng("seed"));
            var r = BaseModelTrainer.train(t, tasks, c, TaskInputs.encoder(tok, mc, s).padId(), run, tokDir, listener);
            out.printf("wrote %s (%d steps; loss %.4f -> %.4f)%n", r.modelDir(), r.steps(), r.firstLoss(),
                    r.lastLoss());
        }
    }
}
