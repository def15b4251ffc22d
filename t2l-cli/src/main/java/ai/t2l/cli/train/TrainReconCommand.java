package ai.t2l.cli.train;

import ai.djl.ndarray.NDManager;
import ai.t2l.embed.TaskEmbedder;
import ai.t2l.hypernet.HyperConfig;
import ai.t2l.hypernet.HyperModulator;
import ai.t2l.hypernet.Provenance;
import ai.t2l.hypernet.T2lFolder;
import ai.t2l.hypernet.TrainingTask;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import ai.t2l.model.ModelConfig;
import ai.t2l.train.HyperLoraSource;
import ai.t2l.train.ReconTrainer;
import ai.t2l.train.TrainListener;
import ai.t2l.train.data.Descriptions;
import ai.t2l.train.run.RunFolder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * {@code t2l train recon}: the hypernetwork learns to reproduce a library of PEFT adapters from their tasks'
 * descriptions (spec §5); writes RUN/t2l. Defaults to factorized with z-scoring, which (unlike the README's
 * non-factorized z-scored setting, spec §2.9 QUIRK) can generate LoRAs afterwards.
 */
@Command(name = "recon", mixinStandardHelpOptions = true,
        description = "Train a T2L hypernetwork to reconstruct a library of LoRAs (spec 5); writes RUN_DIR/t2l.")
public final class TrainReconCommand extends TrainRun {
    @Override
    String kind() {
        return "recon";
    }

    @Override
    Map<String, Object> defaults() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", ""); // base model folder: only its config.json is read
        m.put("library", List.of()); // PEFT adapter folders
        m.put("library_tasks", List.of()); // their task names in descriptions_file; default: the folder names
        m.put("descriptions_file", "");
        m.put("n_descs_per_ds", 128);
        m.put("seed", 42L);
        return Keys.of(m, Keys.optim(1e-3, 1e-3, 0.1), Keys.hyper(), Keys.steps(10000, 1000),
                Map.of("tasks_per_batch", 4, "embs_per_task", 1, "factorized", true, "pred_z_score", true,
                        "delta_w_scaling", 10000.0));
    }

    @Override
    Map<String, Path> inputs(Settings s) {
        Map<String, Path> in = super.inputs(s);
        s.list("library").forEach(l -> in.put("library:" + l, Paths.get(l)));
        return in;
    }

    private static List<String> taskNames(Settings s) {
        List<String> lib = s.list("library");
        if (lib.size() < 2) {
            throw new T2lException("setting 'library' must name at least 2 PEFT adapter folders, found " + lib.size());
        }
        List<String> names = s.list("library_tasks");
        if (names.isEmpty()) {
            return lib.stream().map(l -> Paths.get(l).getFileName().toString()).toList();
        }
        if (names.size() != lib.size()) {
            throw new T2lException("setting 'library_tasks' has " + names.size() + " names for " + lib.size()
                    + " library adapters");
        }
        return names;
    }

    @Override
    void estimate(Settings s, PrintWriter out) {
        ModelConfig mc = ModelConfig.read(s.requirePath("model"));
        LoraWeights first = PeftAdapter.read(Paths.get(s.list("library").get(0)));
        boolean oneHot = Conditioning.kind(s, false) == Conditioning.Kind.ONE_HOT;
        try (TaskEmbedder e = oneHot ? null : TaskInputs.embedder(s)) {
            HyperConfig hc = hyper(s, first, mc, e, taskNames(s));
            out.printf("library: %d adapters (r=%d, %s)%n", s.list("library").size(), first.config().r(),
                    first.config().targetModules());
            // recon never runs the base model; the library is held in memory
            Estimates.print(out, first.numel() * s.list("library").size(), hc.parameterCount(), 0);
        }
    }

    /** {@code e} null: one-hot over the library's tasks ({@code names} in library order, spec §2.2). */
    private static HyperConfig hyper(Settings s, LoraWeights first, ModelConfig mc, TaskEmbedder e, List<String> names) {
        Conditioning cond = Conditioning.of(e == null ? Conditioning.Kind.ONE_HOT : Conditioning.Kind.DESCRIPTIONS, e);
        return cond.apply(TrainSftCommand.hyper(s, first.config(), mc, cond.width(names.size()),
                e == null ? "" : e.name()), names).trainingTask(TrainingTask.RECON)
                .factorized(s.bool("factorized")).predZScore(s.bool("pred_z_score"))
                .deltaWScaling(s.dbl("delta_w_scaling")).build();
    }

    @Override
    void train(Settings s, RunFolder run, TrainListener listener, PrintWriter out) {
        ModelConfig mc = ModelConfig.read(s.requirePath("model"));
        List<String> names = taskNames(s);
        List<LoraWeights> library = new ArrayList<>();
        for (String l : s.list("library")) {
            library.add(PeftAdapter.read(Paths.get(l)));
        }
        ReconTrainer.requireOneShape(library, s.list("library")); // named by folder, before any embedding work
        boolean oneHot = Conditioning.kind(s, false) == Conditioning.Kind.ONE_HOT;
        Path descFile = oneHot ? null : s.requirePath("descriptions_file"); // one-hot ignores descriptions
        Map<String, List<String>> descs = oneHot ? Map.of()
                : Descriptions.read(descFile, new HashSet<>(names), s.integer("n_descs_per_ds"));
        try (TaskEmbedder embedder = oneHot ? null : TaskInputs.embedder(s); NDManager m = NDManager.newBaseManager()) {
            List<float[][]> embeddings = new ArrayList<>();
            ai.t2l.hypernet.OneHotTasks table = oneHot ? new ai.t2l.hypernet.OneHotTasks(names) : null;
            for (String name : names) {
                if (oneHot) {
                    embeddings.add(new float[][] {table.vector(name)});
                    continue;
                }
                List<String> d = descs.get(name);
                if (d == null || d.isEmpty()) {
                    throw new T2lException("library task " + name + " has no descriptions in " + descFile);
                }
                float[][] rows = new float[d.size()][];
                for (int i = 0; i < rows.length; i++) {
                    rows[i] = embedder.embed(d.get(i)).vector();
                }
                embeddings.add(rows);
            }
            HyperConfig hc = hyper(s, library.get(0), mc, embedder, names);
            try (HyperModulator hyper = HyperModulator.create(hc, s.lng("seed"), m);
                    HyperLoraSource source = new HyperLoraSource(hyper, m)) {
                var c = new ReconTrainer.Config(TrainLoraCommand.optim(s), s.integer("tasks_per_batch"),
                        s.integer("embs_per_task"), s.integer("epochs"), s.lng("max_steps"), s.bool("factorized"),
                        s.bool("pred_z_score"), s.dbl("delta_w_scaling"), s.integer("checkpoint_every"), s.lng("seed"));
                var r = ReconTrainer.train(source, library, embeddings, c, run, listener);
                Path dir = run.dir().resolve("t2l");
                T2lFolder.save(dir, hyper, Provenance.now("t2l train recon", run.dir().toString(),
                        Map.of("steps", Long.toString(r.steps()), "seed", s.str("seed"))), true);
                out.printf("wrote %s (%d steps; L1 %.4f -> %.4f)%n", dir, r.steps(), r.firstLoss(), r.lastLoss());
            }
        }
    }
}
