package ai.t2l.miniature.build;

import ai.djl.ndarray.NDManager;
import ai.t2l.embed.TaskEmbedder;
import ai.t2l.hypernet.HyperConfig;
import ai.t2l.hypernet.HyperModulator;
import ai.t2l.hypernet.Provenance;
import ai.t2l.hypernet.T2lFolder;
import ai.t2l.hypernet.TrainingTask;
import ai.t2l.hypernet.Variant;
import ai.t2l.io.AtomicFiles;
import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraConfig;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import ai.t2l.miniature.MiniTokenizer;
import ai.t2l.miniature.Prompts;
import ai.t2l.miniature.Split;
import ai.t2l.miniature.Task;
import ai.t2l.miniature.TaskWorld;
import ai.t2l.miniature.TrainTasks;
import ai.t2l.miniature.WorldExport;
import ai.t2l.model.ModelConfig;
import ai.t2l.model.Transformer;
import ai.t2l.tokenizer.ChatFormat;
import ai.t2l.tokenizer.Tokenizer;
import ai.t2l.train.data.PreparedTask;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * {@code t2l miniature build}: the whole miniature, stage by stage, into one folder (see {@link MiniLayout}). A stage
 * is skipped when its output exists and its record in {@code stages/} carries the same key (a digest of the
 * settings and upstream stages it depends on); otherwise it is redone and everything downstream follows.
 * Deterministic: one thread of PyTorch (set by the caller), every random choice from seeded generators.
 * <p>
 * {@link #run(Worker)} uses both cores of a 2-core machine (issue 14 item 4, the 30-minute budget): phase by phase
 * ({@link #PHASES}), some stages run in a second JVM while this one runs the others. A second process, not a thread:
 * DJL allows one gradient collector per JVM, and a training step seeds PyTorch's global generator. Each stage is a function of its key alone, so the bytes are those of {@link #run()}.
 */
public final class MiniatureBuild {
    /** Bump when a stage's code changes what it produces. */
    static final int PIPELINE_VERSION = 8;
    /** SFT and the multi-task LoRA: tasks per step (spec §6.3 uses 8). */
    static final int SFT_TASKS_PER_STEP = 8;
    /** Coefficient of the L2 penalty on generated A and B in SFT (spec §6.2). */
    static final double L2_GENERATED = 1e-3;
    /**
     * Validation points per SFT run (equal for L, M and S; issue 14 item 2): validation loss on
     * {@link #SFT_VAL_EXAMPLES} validation words of every training task, reported as the curve, never selected on.
     */
    static final int SFT_VAL_POINTS = 10;
    static final int SFT_VAL_EXAMPLES = 8;
    /** Where stages keep their run folders (checkpoints, metrics) until their output is written. */
    static final String RUNS = ".runs";
    /** Every stage in build order. */
    static final List<String> STAGES = List.of("world", "model", "embeddings", "oracle", "multitask", "recon-M",
            "sft-L", "sft-M", "sft-S");
    /**
     * One phase of {@link #run(Worker)}: the second process builds {@code second} while this one builds {@code here};
     * both read what earlier phases built.
     */
    record Phase(Set<String> here, Set<String> second) {}

    /**
     * Not a stage: the second process's half of every base-model step (MiniTraining.BaseRole.FOLLOWER), beside this
     * process's half; it writes nothing, the model stage's output is this process's.
     */
    static final String MODEL_SECOND_HALF = "model-second-half";

    /**
     * The two-process schedule, from the stage times of the fourth and seventh sessions' builds (BENCHMARKS.md,
     * "Miniature build"): the base model on both cores (each step's batch in halves, one per process), then the
     * embeddings, sft-S (the longest stage) and sft-L in the second process beside the oracles, the multi-task LoRA,
     * reconstruction and sft-M (reconstruction and sft-M wait for the embeddings if they are not there yet).
     */
    static final List<Phase> PHASES = List.of(
            new Phase(Set.of("world"), Set.of()),
            new Phase(Set.of("model"), Set.of(MODEL_SECOND_HALF)),
            new Phase(Set.of("oracle", "recon-M", "sft-M", "multitask"), Set.of("embeddings", "sft-S", "sft-L")));

    /** Starts a process that runs {@link #runOnly} for the given stages in the same folder. */
    public interface Worker {
        Process start(Set<String> stages) throws IOException;
    }

    private final Path out;
    private final MiniSettings s;
    private final Supplier<TaskEmbedder> embedders;
    private final Progress progress;
    private final MiniTraining training;
    private final String commit;
    private final TaskWorld world = TaskWorld.standard();
    private final ObjectNode stageLog = Json.MAPPER.createObjectNode();
    /** The stages this pass may build (null: all); the others are kept when up to date and otherwise left. */
    private Set<String> only;
    /** Stages this pass needs up to date and may not build: a worker's inputs (see {@link #runOnly}). */
    private Set<String> required = Set.of();
    /** Whether an up-to-date stage is announced (not in the last pass of {@link #run(Worker)}). */
    private boolean announceKept = true;
    /** The second process of the current phase of {@link #run(Worker)}, or null. */
    private Process second;

    public MiniatureBuild(Path out, MiniSettings settings, Supplier<TaskEmbedder> embedders, Progress progress,
            String commit) {
        this.out = out;
        this.s = settings;
        this.embedders = embedders;
        this.progress = progress;
        this.training = new MiniTraining(progress, settings.checkpointEvery());
        this.commit = commit == null ? "unknown" : commit;
    }

    /** Runs every stage that is not up to date; returns provenance.json's content. */
    public JsonNode run() {
        long t0 = System.nanoTime();
        stages(null, Set.of());
        return finish(t0);
    }

    /**
     * The same build on two processes, {@link #PHASES} in order: in each, {@code second} builds the phase's second set
     * while this process builds the rest. If either side fails, the other is stopped; a rerun resumes both from their
     * checkpoints.
     */
    public JsonNode run(Worker second) {
        long t0 = System.nanoTime();
        for (Phase phase : PHASES) {
            Process p = phase.second().isEmpty() ? null : start(second, phase.second());
            this.second = p;
            try {
                stages(phase.here(), Set.of());
                if (p != null) {
                    int rc = p.waitFor();
                    if (rc != 0) {
                        throw new T2lException("the second build process (stages " + String.join(", ",
                                new TreeSet<>(phase.second())) + ") failed with exit code " + rc + " (its output is"
                                + " above); run the build again to resume");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new T2lException("interrupted while waiting for the second build process", e);
            } finally {
                if (p != null) {
                    p.destroy(); // a no-op once it has exited; stops it if this side failed
                }
                this.second = null;
            }
        }
        announceKept = false;
        stages(null, Set.of()); // every stage is up to date now: this only gathers their records
        return finish(t0);
    }

    private static Process start(Worker second, Set<String> stages) {
        try {
            return second.start(stages);
        } catch (IOException e) {
            throw new T2lException("cannot start the second build process: " + e.getMessage(), e);
        }
    }

    /**
     * The worker's side of {@link #run(Worker)}: builds {@code stages}; every stage of the phases before theirs must
     * be up to date.
     */
    public void runOnly(Set<String> stages) {
        if (!stages.stream().allMatch(st -> STAGES.contains(st) || st.equals(MODEL_SECOND_HALF))) {
            throw new T2lException("unknown stage in " + stages + "; the stages are " + STAGES);
        }
        Set<String> earlier = new HashSet<>();
        for (Phase phase : PHASES) {
            if (phase.second().stream().anyMatch(stages::contains)
                    || phase.here().stream().anyMatch(stages::contains)) {
                break;
            }
            earlier.addAll(phase.here());
            earlier.addAll(phase.second());
        }
        stages(Set.copyOf(stages), earlier);
    }

    /**
     * @param only     the stages this pass may build (null: all)
     * @param required stages that must already be up to date (a worker's inputs); any other stage outside
     *                 {@code only} is left to the other process
     */
    private void stages(Set<String> only, Set<String> required) {
        this.only = only;
        this.required = required;
        try {
            Files.createDirectories(out.resolve(MiniLayout.STAGES));
        } catch (IOException e) {
            throw new T2lException(out + ": cannot create the output folder: " + e.getMessage(), e);
        }
        Path tokDir = tempTokenizer();
        try (Tokenizer tok = Tokenizer.open(tokDir.resolve("tokenizer.json"))) {
            MiniData data = new MiniData(tok, ChatFormat.byName("mini"));
            String worldKey = stage("world", key("world", s.seed(), s.trainExamplesPerTask(), s.valExamplesPerTask(),
                    s.testExamplesPerTask()), MiniLayout.WORLD, runs -> buildWorld());
            List<PreparedTask> train = examples(data, world.trainTasks());
            List<PreparedTask> core = examples(data, world.coreTrainTasks());
            String modelKey = key("model", worldKey, s.model(), s.base());
            if (only != null && only.contains(MODEL_SECOND_HALF) && !upToDate("model", modelKey, MiniLayout.MODEL)) {
                trainModel(baseExamples(data, world.trainTasks()), data.padId(), runsOf("model", modelKey),
                        MiniTraining.BaseRole.FOLLOWER);
            }
            modelKey = stage("model", modelKey, MiniLayout.MODEL,
                    runs -> buildModel(baseExamples(data, world.trainTasks()), data.padId(), runs));
            String embKey = stage("embeddings", key("embeddings", "bge-small", worldKey), MiniLayout.EMBEDDINGS,
                    runs -> buildEmbeddings());
            String oracleKey = stage("oracle", key("oracle", modelKey, s.oracle(), s.heldOutOracles()),
                    MiniLayout.ORACLE, runs -> buildOracles(data, core, runs));
            stage("multitask", key("multitask", modelKey, s.multiTask(), SFT_VAL_POINTS, SFT_VAL_EXAMPLES),
                    MiniLayout.MULTITASK, runs -> buildMultiTask(withFewerValidation(train), data.padId(), runs));
            stage("recon-M", key("recon", oracleKey, embKey, s.recon(), s.hyper()), MiniLayout.t2l("recon-M"),
                    runs -> {
                        await("embeddings", embKey, MiniLayout.EMBEDDINGS);
                        return buildRecon(runs);
                    });
            for (Variant v : List.of(Variant.L, Variant.M, Variant.S)) {
                String name = "sft-" + v.name();
                stage(name, key(name, modelKey, embKey, s.sft(), s.hyper(), SFT_VAL_POINTS, SFT_VAL_EXAMPLES),
                        MiniLayout.t2l(name), runs -> {
                            await("embeddings", embKey, MiniLayout.EMBEDDINGS);
                            return buildSft(v, withFewerValidation(train), data.padId(), runs);
                        });
            }
        } finally {
            AtomicFiles.deleteRecursively(tokDir);
        }
    }

    /** provenance.json, once every stage is up to date. */
    private JsonNode finish(long t0) {
        deleteIfEmpty(out.resolve(RUNS));
        ObjectNode prov = Json.MAPPER.createObjectNode();
        prov.put("format", "t2l-miniature");
        prov.put("pipeline_version", PIPELINE_VERSION);
        prov.put("seed", s.seed());
        prov.put("commit", commit);
        prov.set("settings", s.toJson());
        prov.put("pytorch_threads", System.getProperty("ai.djl.pytorch.num_threads", "default"));
        prov.put("available_processors", Runtime.getRuntime().availableProcessors());
        prov.put("java", System.getProperty("java.version"));
        ObjectNode stages = prov.putObject("stages"); // in build order, whichever process finished first
        STAGES.forEach(n -> stages.set(n, stageLog.get(n)));
        prov.put("this_run_seconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
        prov.put("note", "stage seconds are those of the run that built each stage; a skipped stage keeps them");
        AtomicFiles.writeString(out.resolve(MiniLayout.PROVENANCE), Json.write(prov));
        return prov;
    }

    // ---- stage mechanics ------------------------------------------------------------------------------------

    private interface Body {
        /** @param runs the stage's own folder for trainer run folders (checkpoints), kept until the stage is done */
        JsonNode build(Path runs) throws IOException;
    }

    /**
     * Runs a stage unless its output exists with the same key; returns the key for downstream stages. Trainer run
     * folders live in {@code .runs/NAME-KEY}: a rerun of an interrupted stage with the same key resumes from their
     * checkpoints, any other key's leftovers are removed.
     */
    private String stage(String name, String key, String output, Body body) {
        if (upToDate(name, key, output)) {
            if (announceKept) {
                progress.start(name + " (up to date)", 0);
                progress.end("kept");
            }
            stageLog.set(name, Json.read(record(name)));
            return key;
        }
        if (only != null && !only.contains(name)) {
            if (required.contains(name)) { // the worker of run(Worker) reads them; it never builds them itself
                throw new T2lException(out + ": stage '" + name + "' is not built (or out of date); build the whole"
                        + " miniature, not only " + new TreeSet<>(only));
            }
            return key; // another process builds it
        }
        AtomicFiles.deleteRecursively(out.resolve(output));
        Path runs = runsOf(name, key);
        removeStaleRuns(name, runs);
        long t0 = System.nanoTime();
        JsonNode info;
        try {
            info = body.build(runs);
            AtomicFiles.deleteRecursively(runs);
        } catch (IOException e) {
            throw new T2lException(out.resolve(output) + ": " + e.getMessage(), e);
        }
        ObjectNode rec = Json.MAPPER.createObjectNode();
        rec.put("key", key);
        rec.put("seconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
        if (info != null) {
            rec.set("result", info);
        }
        AtomicFiles.writeString(record(name), Json.write(rec));
        stageLog.set(name, rec);
        return key;
    }

    private Path record(String name) {
        return out.resolve(MiniLayout.STAGES).resolve(name + ".json");
    }

    /** Whether the stage's output exists and its record carries {@code key}. */
    private boolean upToDate(String name, String key, String output) {
        return Files.exists(out.resolve(output)) && Files.exists(record(name))
                && key.equals(Json.read(record(name)).path("key").asText());
    }

    /** The folder of a stage's trainer runs (checkpoints) until its output is written. */
    private Path runsOf(String name, String key) {
        return out.resolve(RUNS).resolve(name + "-" + key);
    }

    /**
     * Waits until the other process of {@link #run(Worker)} has built stage {@code name} with {@code key} (a stage
     * of the same phase this one reads); returns at once when it is already built.
     */
    private void await(String name, String key, String output) {
        boolean waited = false;
        while (!upToDate(name, key, output)) {
            Process p = second;
            if (p == null || !p.isAlive()) {
                throw new T2lException(out + ": stage '" + name + "' is not built, and no second process is building"
                        + " it" + (p == null ? "" : " any more (its output is above)") + "; run the build again");
            }
            if (!waited) {
                progress.start("waiting for " + name + " from the second process", 0);
                waited = true;
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new T2lException("interrupted while waiting for stage " + name, e);
            }
        }
        if (waited) {
            progress.end("done");
        }
    }

    private void removeStaleRuns(String name, Path keep) {
        Path dir = out.resolve(RUNS);
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var entries = Files.list(dir)) {
            for (Path p : entries.toList()) {
                if (p.getFileName().toString().startsWith(name + "-") && !p.equals(keep)) {
                    AtomicFiles.deleteRecursively(p);
                }
            }
        } catch (IOException e) {
            throw new T2lException(dir + ": cannot list old run folders: " + e.getMessage(), e);
        }
    }

    private static void deleteIfEmpty(Path dir) {
        try (var entries = Files.list(dir)) {
            if (entries.findAny().isEmpty()) {
                Files.delete(dir);
            }
        } catch (java.nio.file.NoSuchFileException | java.nio.file.DirectoryNotEmptyException e) {
            // nothing was ever kept there, or a stage still runs
        } catch (IOException e) {
            throw new T2lException(dir + ": " + e.getMessage(), e);
        }
    }

    private String key(Object... parts) {
        StringBuilder sb = new StringBuilder("v" + PIPELINE_VERSION + "|seed " + s.seed());
        for (Object p : parts) {
            sb.append('|').append(p);
        }
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d, 0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path tempTokenizer() {
        try {
            Path d = Files.createTempDirectory("t2l-mini-tok");
            MiniTokenizer.write(d);
            return d;
        } catch (IOException e) {
            throw new T2lException("cannot write a temporary tokenizer: " + e.getMessage(), e);
        }
    }

    // ---- stages ---------------------------------------------------------------------------------------------

    private JsonNode buildWorld() {
        progress.start("world data", 0);
        world.writeTo(out.resolve(MiniLayout.WORLD), new WorldExport.Settings(s.seed(), s.trainExamplesPerTask(),
                s.valExamplesPerTask(), s.testExamplesPerTask()));
        progress.end(world.tasks().size() + " tasks");
        return null;
    }

    /** Train and val examples of tasks; training tasks go through the trainers' view, held-out ones do not. */
    private List<PreparedTask> examples(MiniData data, List<Task> tasks) {
        TrainTasks view = world.trainView();
        List<PreparedTask> out = new ArrayList<>();
        for (Task t : tasks) {
            boolean train = t.role() == Task.Role.TRAIN;
            var tr = train ? view.examples(t.name(), Split.TRAIN, s.trainExamplesPerTask(), s.seed())
                    : world.examples(t, Split.TRAIN, s.trainExamplesPerTask(), s.seed());
            var va = train ? view.examples(t.name(), Split.VAL, s.valExamplesPerTask(), s.seed())
                    : world.examples(t, Split.VAL, s.valExamplesPerTask(), s.seed());
            // training descriptions only (their embeddings are SFT's conditioning); held-out tasks are never described
            out.add(new PreparedTask(t.name(), train ? t.trainDescriptions() : List.of(), data.encode(tr),
                    data.encode(va), 0));
        }
        return out;
    }

    /**
     * The base model's rows (issue 14 item 1): each training word of each training task is asked in one of three ways
     * in turn, so the base learns to follow an instruction as an instruction-tuned LLM does: the bare prompt (a third),
     * one of the task's training descriptions before it (a third), or three other training words of the task with
     * their answers before it (a third; {@link Prompts}). Validation words likewise, with shots from training words.
     * Training descriptions and training/validation words only: the trainers' view.
     */
    private List<PreparedTask> baseExamples(MiniData data, List<Task> tasks) {
        TrainTasks view = world.trainView();
        List<PreparedTask> out = new ArrayList<>();
        for (Task t : tasks) {
            var tr = view.examples(t.name(), Split.TRAIN, s.trainExamplesPerTask(), s.seed());
            var va = view.examples(t.name(), Split.VAL, s.valExamplesPerTask(), s.seed());
            List<String> ds = view.descriptions(t.name());
            out.add(new PreparedTask(t.name(), List.of(), data.encode(Prompts.mixed(tr, tr, ds, s.seed(), t, "train")),
                    data.encode(Prompts.mixed(va, tr, ds, s.seed(), t, "val")), 0));
        }
        return out;
    }

    /** SFT validates on the first {@link #SFT_VAL_EXAMPLES} validation words of each task (a curve, cheaply). */
    private static List<PreparedTask> withFewerValidation(List<PreparedTask> tasks) {
        return tasks.stream().map(p -> new PreparedTask(p.name(), p.descriptions(), p.train(),
                p.validation().subList(0, Math.min(SFT_VAL_EXAMPLES, p.validation().size())), p.truncated())).toList();
    }

    private JsonNode buildModel(List<PreparedTask> train, int padId, Path runs) {
        // run(Worker)'s phase of the model starts the other half's process
        return trainModel(train, padId, runs, second == null ? MiniTraining.BaseRole.ALONE
                : MiniTraining.BaseRole.LEADER);
    }

    /** Trains the base model (one role of it, {@link MiniTraining#base}); the leader or a lone process writes it. */
    private JsonNode trainModel(List<PreparedTask> train, int padId, Path runs, MiniTraining.BaseRole role) {
        ModelConfig c = MiniBaseModel.config(s.model());
        boolean writes = role != MiniTraining.BaseRole.FOLLOWER;
        if (writes) {
            progress.start("base model", s.base().steps());
        }
        Process follower = second;
        try (Transformer model = Transformer.create(c, MiniBaseModel.inMemory(
                MiniBaseModel.initialWeights(c, s.seed()), "fresh miniature weights"))) {
            JsonNode curve = training.base(model, train, s.base(), padId, s.seed() + 1, runs, role,
                    () -> follower != null && follower.isAlive());
            if (!writes) {
                return null;
            }
            MiniBaseModel.write(out.resolve(MiniLayout.MODEL), s.model(), model.stateDict(), true);
            progress.end(String.format("final loss %.3f", curve.path("last_loss").asDouble()));
            return curve;
        }
    }

    private JsonNode buildEmbeddings() {
        try (TaskEmbedder e = embedders.get()) {
            MiniEmbeddings.compute(world, e, out.resolve(MiniLayout.EMBEDDINGS), progress);
            ObjectNode n = Json.MAPPER.createObjectNode();
            n.put("encoder", e.name());
            n.put("dimension", e.dimension());
            return n;
        }
    }

    /** Oracles of the core training tasks (the recon library) and of held-out tasks (upper bound only). */
    private JsonNode buildOracles(MiniData data, List<PreparedTask> train, Path runs) {
        List<Task> tasks = new ArrayList<>(world.coreTrainTasks());
        List<Task> held = world.heldOutTasks();
        tasks.addAll(s.heldOutOracles() < 0 ? held : held.subList(0, Math.min(held.size(), s.heldOutOracles())));
        List<PreparedTask> all = new ArrayList<>(train);
        all.addAll(examples(data, tasks.subList(train.size(), tasks.size())));
        progress.start("oracle LoRAs (" + all.size() + " tasks)", (long) all.size() * s.oracle().steps());
        try (Transformer model = Transformer.load(out.resolve(MiniLayout.MODEL))) {
            List<LoraWeights> ws = training.oracles(model, all, s.oracle(), LoraConfig.t2lDefault(), data.padId(),
                    s.seed() + 2, null, runs);
            progress.end(ws.size() + " adapters");
            // base_model_name_or_path null: the miniature's model has no hub id, an absolute path would differ
            // between two builds (and machines), and a relative one breaks when the folder moves (issue 11 item 4);
            // `t2l export --format peft --model miniature/model` writes one with this machine's absolute path
            AtomicFiles.writeDirectory(out.resolve(MiniLayout.ORACLE), true, tmp -> {
                for (int i = 0; i < tasks.size(); i++) {
                    PeftAdapter.write(tmp.resolve(tasks.get(i).name()), ws.get(i), null,
                            tasks.get(i).role() == Task.Role.TRAIN ? tasks.get(i).trainDescriptions().get(0) : null,
                            false);
                }
            });
        }
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("adapters", tasks.size());
        n.put("held_out_upper_bound", tasks.size() - train.size());
        return n;
    }

    private JsonNode buildMultiTask(List<PreparedTask> train, int padId, Path runs) {
        progress.start("multi-task LoRA", s.multiTask().steps());
        try (Transformer model = Transformer.load(out.resolve(MiniLayout.MODEL))) {
            MiniTraining.MultiTask mt = training.multiTask(model, train, s.multiTask(), LoraConfig.t2lDefault(),
                    SFT_TASKS_PER_STEP, valEvery(s.multiTask()), padId, s.seed() + 3, runs);
            PeftAdapter.write(out.resolve(MiniLayout.MULTITASK), mt.weights(), null, null, true);
            progress.end(String.format("final loss %.3f", mt.curve().path("last_loss").asDouble()));
            return mt.curve();
        }
    }

    /** Steps between validations for {@link #SFT_VAL_POINTS} points over a stage (SFT and the multi-task LoRA). */
    private static int valEvery(MiniSettings.Stage stage) {
        return Math.max(1, stage.steps() / SFT_VAL_POINTS);
    }

    private List<float[][]> trainEmbeddings(List<Task> tasks) {
        List<float[][]> e = new ArrayList<>();
        for (Task t : tasks) {
            e.add(MiniEmbeddings.read(out.resolve(MiniLayout.EMBEDDINGS), "train." + t.name()));
        }
        return e;
    }

    private HyperConfig.Builder hyperConfig(Variant v, TrainingTask task) {
        ModelConfig mc = ModelConfig.read(out.resolve(MiniLayout.MODEL));
        return HyperConfig.builder().variant(v).latentSize(s.hyper().latent()).headInSize(s.hyper().headIn())
                .taskEmbDim(trainEmbeddings(world.trainTasks().subList(0, 1)).get(0)[0].length)
                .lora(LoraConfig.t2lDefault()).dimsFrom(mc)
                .trainingTask(task).baseModel("../../" + MiniLayout.MODEL)
                .embModel("bge-small-en-v1.5 (bundled)");
    }

    private JsonNode buildRecon(Path runs) {
        List<LoraWeights> library = new ArrayList<>();
        for (Task t : world.coreTrainTasks()) {
            library.add(PeftAdapter.read(out.resolve(MiniLayout.ORACLE).resolve(t.name())));
        }
        HyperConfig c = hyperConfig(Variant.M, TrainingTask.RECON).predZScore(true).factorized(true).build();
        progress.start("T2L recon-M", s.recon().steps());
        try (NDManager m = NDManager.newBaseManager("PyTorch");
                HyperModulator hm = HyperModulator.create(c, s.seed() + 4, m)) {
            // the trainer puts the library's element-wise mean and std into hm's z-score buffers (spec §2.9)
            JsonNode curve = training.recon(hm, library, trainEmbeddings(world.coreTrainTasks()), s.recon(),
                    s.seed() + 5, runs);
            save(hm, "recon-M", "reconstruction of " + library.size() + " oracle LoRAs");
            progress.end(String.format("final L1 %.3f", curve.path("last_loss").asDouble()));
            return curve;
        }
    }

    private JsonNode buildSft(Variant v, List<PreparedTask> train, int padId, Path runs) {
        HyperConfig c = hyperConfig(v, TrainingTask.SFT).build();
        progress.start("T2L sft-" + v.name(), s.sft().steps());
        try (Transformer model = Transformer.load(out.resolve(MiniLayout.MODEL));
                HyperModulator hm = HyperModulator.create(c, s.seed() + 10 + v.ordinal(), model.manager())) {
            JsonNode curve = training.sft(model, hm, train, trainEmbeddings(world.trainTasks()), s.sft(),
                    SFT_TASKS_PER_STEP, L2_GENERATED, valEvery(s.sft()), padId,
                    s.seed() + 20 + v.ordinal(), runs);
            save(hm, "sft-" + v.name(), "SFT on " + train.size() + " training tasks");
            progress.end(String.format("final loss %.3f", curve.path("last_loss").asDouble()));
            return curve;
        }
    }

    private void save(HyperModulator hm, String name, String from) {
        // createdAt is fixed so that rebuilding gives identical bytes; provenance.json holds the real timings
        Provenance p = new Provenance("t2l miniature build", from + " (seed " + s.seed() + ")",
                "see ../../provenance.json", Map.of("seed", Long.toString(s.seed())));
        T2lFolder.save(out.resolve(MiniLayout.t2l(name)), hm, p, true);
    }

    /** {@link #curve(List)} plus the validation points as [step, loss] pairs (reported, never selected on). */
    static JsonNode curve(List<Double> losses, List<double[]> validation) {
        ObjectNode n = (ObjectNode) curve(losses);
        if (!validation.isEmpty()) {
            var v = n.putArray("val_loss");
            for (double[] p : validation) {
                v.addArray().add((long) p[0]).add(Math.round(p[1] * 10000) / 10000.0);
            }
        }
        return n;
    }

    /** A loss curve in 20 averaged points plus the first and last values. */
    static JsonNode curve(List<Double> losses) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("steps", losses.size());
        n.put("first_loss", losses.get(0));
        n.put("last_loss", losses.get(losses.size() - 1));
        var pts = n.putArray("mean_loss_per_twentieth");
        int chunk = Math.max(1, losses.size() / 20);
        for (int i = 0; i < losses.size(); i += chunk) {
            double sum = 0;
            int k = 0;
            for (int j = i; j < Math.min(losses.size(), i + chunk); j++, k++) {
                sum += losses.get(j);
            }
            pts.add(Math.round(sum / k * 1000) / 1000.0);
        }
        return n;
    }

}
