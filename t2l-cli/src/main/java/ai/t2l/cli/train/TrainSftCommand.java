package ai.t2l.cli.train;

import ai.djl.ndarray.NDManager;
import ai.t2l.embed.TaskEmbedder;
import ai.t2l.generate.ChatModel;
import ai.t2l.hypernet.HyperConfig;
import ai.t2l.hypernet.HyperModulator;
import ai.t2l.hypernet.Provenance;
import ai.t2l.hypernet.T2lFolder;
import ai.t2l.hypernet.TrainingTask;
import ai.t2l.hypernet.Variant;
import ai.t2l.io.T2lException;
import ai.t2l.model.ModelConfig;
import ai.t2l.model.Transformer;
import ai.t2l.tokenizer.ChatFormat;
import ai.t2l.tokenizer.Tokenizer;
import ai.t2l.train.HyperLoraSource;
import ai.t2l.train.SftTrainer;
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

/** {@code t2l train sft}: a T2L hypernetwork trained through the frozen base model (spec §6); writes RUN/t2l. */
@Command(name = "sft", mixinStandardHelpOptions = true,
        description = "Train a T2L hypernetwork by SFT through the base model (spec 6); writes RUN_DIR/t2l.")
public final class TrainSftCommand extends TrainRun {
    @Override
    String kind() {
        return "sft";
    }

    @Override
    Map<String, Object> defaults() {
        return Keys.of(Keys.data(), Keys.optim(2.5e-5, 1e-2, 0.2), Keys.lora(0.05), Keys.hyper(),
                Keys.steps(20000, 10000), Map.of("tasks_per_batch", 8, "points_per_task", 1, "label_smoothing", 0.1,
                        "neftune_alpha", 5.0, "l2_generated", 1e-3, "val_every", 10000),
                // Hyperdecoders (spec §9): each example's own input is its description, one adapter per example
                Map.of("use_inp_as_desc", false), BenchmarkSelection.keys());
    }

    static SftTrainer.Config config(Settings s, double l2) {
        return new SftTrainer.Config(TrainLoraCommand.optim(s), s.integer("tasks_per_batch"),
                s.integer("points_per_task"), s.integer("epochs"), s.lng("max_steps"), s.dbl("label_smoothing"),
                s.dbl("neftune_alpha"), l2, s.integer("val_every"), s.integer("checkpoint_every"), s.lng("seed"));
    }

    /** The hypernetwork's settings (spec §2.1) for a base model and an encoder width. */
    static HyperConfig.Builder hyper(Settings s, ai.t2l.lora.LoraConfig lora, ModelConfig mc, int embDim,
            String embName) {
        Variant v;
        try {
            v = Variant.valueOf(s.str("variant").toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new T2lException("setting 'variant' must be L, M or S, found '" + s.str("variant") + "'");
        }
        return HyperConfig.builder().variant(v).latentSize(s.integer("latent_size")).headInSize(s.integer("head_in_size"))
                .lora(lora).dimsFrom(mc).taskEmbDim(embDim).baseModel(s.str("model")).embModel(embName);
    }

    /** The training task names in file order: the one-hot index table of a one-hot run. */
    static List<String> taskNames(Settings s) {
        var files = TaskInputs.taskFiles(s);
        List<String> names = files.stream().map(TaskInputs::taskName).toList();
        TaskInputs.checkUnique(files, names);
        return names;
    }

    @Override
    void estimate(Settings s, PrintWriter out) {
        ModelConfig mc = ModelConfig.read(s.requirePath("model"));
        Conditioning.Kind kind = Conditioning.kind(s, true);
        try (TaskEmbedder e = kind == Conditioning.Kind.ONE_HOT ? null : TaskInputs.embedder(s)) {
            List<String> names = taskNames(s);
            Conditioning cond = Conditioning.of(kind, e);
            HyperConfig hc = cond.apply(hyper(s, TaskInputs.lora(s), mc, cond.width(names.size()),
                    e == null ? "" : e.name()), names).trainingTask(TrainingTask.SFT).build();
            out.printf("hypernetwork: variant %s, %d layers x %s, task embedding %d (%s)%n", hc.variant(),
                    hc.numLayers(), hc.moduleOrder(), hc.taskEmbDim(), switch (kind) {
                        case ONE_HOT -> "one-hot over " + names.size() + " training tasks";
                        case INPUT -> e.name() + ", the input as description";
                        case DESCRIPTIONS -> e.name();
                    });
            Estimates.print(out, Estimates.baseParams(mc), hc.parameterCount(),
                    Estimates.activationBytes(mc, s.integer("tasks_per_batch") * s.integer("points_per_task"),
                            s.integer("max_length")));
        }
    }

    @Override
    void train(Settings s, RunFolder run, TrainListener listener, PrintWriter out) {
        TaskInputs.checkContamination(s, listener); // before any model is loaded (issue 12 item 9)
        Path modelDir = s.requirePath("model");
        Conditioning.Kind kind = Conditioning.kind(s, true);
        if (kind != Conditioning.Kind.DESCRIPTIONS && !s.list("select_tasks").isEmpty()) {
            throw new T2lException("setting 'select_tasks': checkpoint selection scores adapters generated from the "
                    + "benchmarks' held-out descriptions, which a " + (kind == Conditioning.Kind.ONE_HOT
                            ? "one-hot T2L cannot read" : "Hyperdecoder does not use")
                    + "; leave select_tasks empty and evaluate the result with t2l eval run --t2l");
        }
        try (Transformer model = Transformer.load(modelDir);
                Tokenizer tok = Tokenizer.open(TaskInputs.tokenizerDir(s, modelDir));
                TaskEmbedder embedder = kind == Conditioning.Kind.ONE_HOT ? null : TaskInputs.embedder(s);
                NDManager m = NDManager.newBaseManager()) {
            Conditioning cond = Conditioning.of(kind, embedder, s.path("cache_dir"));
            List<TaskData> data = TaskInputs.read(s, cond.needsDescriptions(), listener::onMessage);
            List<PreparedTask> tasks = cond.trainingTasks(
                    TaskInputs.prepareWithValTasks(data, tok, model.config(), s, listener));
            List<float[][]> embeddings = cond.embed(data, tasks, listener);
            List<String> names = tasks.stream().map(PreparedTask::name).toList();
            HyperConfig hc = cond.apply(hyper(s, TaskInputs.lora(s), model.config(), cond.width(names.size()),
                    embedder == null ? "" : embedder.name()), names).trainingTask(TrainingTask.SFT).build();
            try (HyperModulator hyper = HyperModulator.create(hc, s.lng("seed"), m);
                    HyperLoraSource source = new HyperLoraSource(hyper, m)) {
                // borrowed: the scorer runs the frozen base model that SFT trains through
                ChatModel chat = new ChatModel(model, tok, ChatFormat.forModel(modelDir));
                var selection = BenchmarkSelection.of(s, hyper, embedder, chat, run.dir(), listener);
                List<SftTrainer.ValidationSet> extra = new java.util.ArrayList<>();
                for (String[] v : new String[][] {{"unseen", "val_unseen_tasks"}, {"benchmark", "val_benchmark_tasks"}}) {
                    var set = TaskInputs.validationSet(v[0], v[1], s, tok, model.config(), cond, listener);
                    if (set != null) {
                        extra.add(set);
                    }
                }
                var r = SftTrainer.train(new TransformerLm(model), source, tasks, embeddings,
                        config(s, s.dbl("l2_generated")).withDescriptions(cond.rows()),
                        TaskInputs.encoder(tok, model.config(), s).padId(), run, listener, selection, extra);
                Path dir = run.dir().resolve("t2l");
                Map<String, String> prov = new java.util.LinkedHashMap<>(Map.of("steps", Long.toString(r.steps()),
                        "seed", s.str("seed")));
                if (selection != null) {
                    prov.put("selected_step", Long.toString(r.bestStep()));
                    prov.put("selected_score", Double.toString(r.bestScore()));
                }
                T2lFolder.save(dir, hyper, Provenance.now("t2l train sft", run.dir().toString(), prov), true);
                out.printf("wrote %s (%d steps; loss %.4f -> %.4f)%s%n", dir, r.steps(), r.firstLoss(), r.lastLoss(),
                        selection == null ? "" : String.format(java.util.Locale.ROOT,
                                "; selected step %d, benchmark_avg %.2f%s (RUN/selection.json)", r.bestStep(),
                                r.bestScore(), r.stoppedEarly() ? ", stopped early" : ""));
            }
        }
    }
}
