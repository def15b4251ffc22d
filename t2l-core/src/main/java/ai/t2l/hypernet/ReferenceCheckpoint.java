package ai.t2l.hypernet;

import ai.djl.ndarray.NDManager;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import ai.t2l.io.TorchCheckpoint;
import ai.t2l.lora.LoraConfig;
import ai.t2l.lora.PeftAdapter;
import ai.t2l.model.ModelConfig;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Import of the reference's T2L folder (T2L-SPEC §4.1–§4.3): {@code hypermod.pt} (read by the safe unpickler),
 * {@code args.yaml} and {@code adapter_config.json}. Layer count and module dims come from the base model's
 * config.json, exactly as the reference reads them from the PEFT-wrapped model; the task-embedding size comes
 * from the checkpoint (the reference takes it from the embedding model, which we may not have).
 */
public final class ReferenceCheckpoint {
    public static final String WEIGHTS = "hypermod.pt";
    public static final String ARGS = "args.yaml";

    /** args.yaml keys the loader needs (T2L-SPEC §4.1); missing ones are an error. */
    static final List<String> REQUIRED_KEYS = List.of("model_dir", "training_task", "target_modules",
            "shared_AB_head", "autoreg_gen", "learnable_pos_emb", "hypernet_latent_size", "head_in_size",
            "encoder_type", "pred_z_score", "factorized", "delta_w_scaling", "mt_lora_path", "use_one_hot_task_emb");

    /** Every key the reference TrainingArguments writes (commit 8ba7749); others are reported as warnings. */
    static final Set<String> KNOWN_KEYS = Set.of("additional_eval_descs", "also_val_on_train", "autoreg_gen",
            "batch_size", "config", "debug", "delta_w_scaling", "emb_model", "encoder_type", "epochs",
            "equally_weight_sample", "eval_ds_info", "exp_setup", "factorized", "grad_accum_steps", "head_in_size",
            "head_use_bias", "hypernet_latent_size", "inp_max_len", "keep_only_best", "l2_reg_generated_w",
            "label_smoothing", "learnable_AB_offset", "learnable_pos_emb", "logging_freq", "lr", "max_grad_norm",
            "model_dir", "model_watch_freq", "mt_lora_path", "n_descs_per_ds", "n_embs_per_sampled_task",
            "n_points_per_task", "n_tasks_per_batch", "n_train_ds", "neftune_noise_alpha", "notes", "pred_z_score",
            "run_name", "save_dir", "save_freq", "save_to_base_model_dir", "seed", "sft_mode", "shared_AB_head",
            "skip_eval", "target_modules", "train_ds_names", "training_task", "use_default_desc",
            "use_hierarchical_sampler", "use_hypernet", "use_inp_as_desc", "use_one_hot_task_emb",
            "use_per_sample_desc", "use_per_task_emb", "val_batch_size", "val_freq", "warmup_frac", "weight_decay");

    private ReferenceCheckpoint() {}

    /** What args.yaml and adapter_config.json say, before any base model is consulted. */
    record Settings(JsonNode args, LoraConfig lora, List<String> warnings) {}

    public static HypernetCheckpoint load(Path dir, LoadOptions options, NDManager parent) {
        Settings s = readSettings(dir, options);
        Path modelDir = options.modelDir() != null ? options.modelDir() : resolveBaseModel(dir, text(s, "model_dir"));
        ModelConfig model = ModelConfig.read(modelDir);
        Path weights = dir.resolve(WEIGHTS);
        Map<String, FloatTensor> state = TorchCheckpoint.readAll(weights);
        FloatTensor enc = state.get("task_encoder.mlp.0.weight");
        if (enc == null || enc.shape().length != 2) {
            throw new T2lException(weights + ": missing tensor 'task_encoder.mlp.0.weight' (the linear task encoder)");
        }
        HyperConfig config = build(configBuilder(dir, s).taskEmbDim((int) enc.shape()[1]).dimsFrom(model), dir);
        HyperModulator h = HyperModulator.fromState(config, state, weights + " (base model " + modelDir + ")", parent);
        Provenance p = Provenance.now("t2l import of a reference checkpoint", weights.toAbsolutePath().toString(),
                Map.of("run_name", s.args().path("run_name").asText(""), "base_model", modelDir.toString()));
        return new HypernetCheckpoint(h, p, dir, modelDir, s.warnings());
    }

    /**
     * The config from the checkpoint's own tensor shapes, with no base model and no tensor data read (for
     * {@code t2l inspect}): layers and dims from the AB_offset buffers (L, r, in) and (L, out, r).
     */
    public static HyperConfig configFromShapes(Path dir, LoadOptions options) {
        Settings s = readSettings(dir, options);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        try (TorchCheckpoint c = TorchCheckpoint.open(dir.resolve(WEIGHTS))) {
            c.entries().forEach(e -> shapes.put(e.key(), e.shape()));
        }
        HyperConfig.Builder b = configBuilder(dir, s);
        long[] enc = need(shapes, "task_encoder.mlp.0.weight", dir);
        b.taskEmbDim((int) enc[1]);
        for (String m : s.lora().targetModules()) {
            long[] a = need(shapes, "AB_offset.A." + m, dir);
            long[] bb = need(shapes, "AB_offset.B." + m, dir);
            b.numLayers((int) a[0]).module(m, (int) a[2], (int) bb[1]);
        }
        return build(b, dir);
    }

    /** Config errors (e.g. a one-hot width that disagrees with train_ds_names) name the checkpoint's files. */
    private static HyperConfig build(HyperConfig.Builder b, Path dir) {
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new T2lException(dir.resolve(ARGS) + " and " + dir.resolve(WEIGHTS) + " disagree: " + e.getMessage(), e);
        }
    }

    private static long[] need(Map<String, long[]> shapes, String key, Path dir) {
        long[] s = shapes.get(key);
        if (s == null) {
            throw new T2lException(dir.resolve(WEIGHTS) + ": missing tensor '" + key + "'");
        }
        return s;
    }

    static Settings readSettings(Path dir, LoadOptions options) {
        Path argsFile = dir.resolve(ARGS);
        JsonNode args = Json.readYaml(argsFile);
        if (!args.isObject()) {
            throw new T2lException(argsFile + ": expected a mapping of training arguments");
        }
        List<String> missing = new ArrayList<>();
        for (String k : REQUIRED_KEYS) {
            if (!args.has(k)) {
                missing.add(k);
            }
        }
        if (!missing.isEmpty()) {
            throw new T2lException(argsFile + ": missing required key" + (missing.size() > 1 ? "s " : " ") + missing);
        }
        List<String> warnings = new ArrayList<>();
        args.fieldNames().forEachRemaining(k -> {
            if (!KNOWN_KEYS.contains(k)) {
                warnings.add(argsFile + ": unknown key '" + k + "' ignored");
            }
        });
        LoraConfig peft = PeftAdapter.readConfig(dir.resolve(PeftAdapter.CONFIG));
        List<String> order = options.moduleOrder() != null ? options.moduleOrder() : peft.targetModules();
        Set<String> argModules = new HashSet<>();
        args.get("target_modules").forEach(n -> argModules.add(n.asText()));
        if (!new HashSet<>(order).equals(new HashSet<>(peft.targetModules())) || order.size() != peft.targetModules().size()
                || !argModules.equals(new HashSet<>(peft.targetModules()))) {
            throw new T2lException(dir + ": module order " + order + " must be a permutation of adapter_config.json "
                    + "target_modules " + peft.targetModules() + " (args.yaml target_modules: " + argModules + ")");
        }
        LoraConfig lora = new LoraConfig(peft.r(), peft.alpha(), peft.useRslora(), peft.dropout(), order);
        return new Settings(args, lora, warnings);
    }

    private static HyperConfig.Builder configBuilder(Path dir, Settings s) {
        JsonNode a = s.args();
        Path argsFile = dir.resolve(ARGS);
        String encoder = text(s, "encoder_type");
        if (!encoder.equals("linear")) {
            throw new T2lException(argsFile + ": encoder_type '" + encoder + "' is not supported (only 'linear', "
                    + "the encoder of every released checkpoint)");
        }
        String task = text(s, "training_task");
        TrainingTask tt = switch (task) {
            case "sft" -> TrainingTask.SFT;
            case "recon" -> TrainingTask.RECON;
            default -> throw new T2lException(argsFile + ": training_task '" + task + "', expected sft or recon");
        };
        boolean mtLora = !a.get("mt_lora_path").isNull() && !a.get("mt_lora_path").asText().isEmpty();
        boolean oneHot = bool(argsFile, a, "use_one_hot_task_emb");
        // Hyperdecoders (spec §9): optional, as checkpoints of older reference versions do not write it
        boolean inputAsDesc = a.has("use_inp_as_desc") && bool(argsFile, a, "use_inp_as_desc");
        boolean predZ = bool(argsFile, a, "pred_z_score");
        return HyperConfig.builder()
                .variant(Variant.of(bool(argsFile, a, "shared_AB_head"), bool(argsFile, a, "autoreg_gen")))
                .learnablePosEmb(bool(argsFile, a, "learnable_pos_emb"))
                .latentSize(positiveInt(argsFile, a, "hypernet_latent_size"))
                .headInSize(positiveInt(argsFile, a, "head_in_size"))
                .encoderType(oneHot ? TaskEncoderType.ONE_HOT : TaskEncoderType.LINEAR)
                // the one-hot index table: the reference indexes train_ds_names in config order (OneHotTasks)
                .taskNames(oneHot ? strings(argsFile, a, "train_ds_names") : List.of())
                .inputAsDescription(inputAsDesc)
                .lora(s.lora())
                .trainingTask(tt)
                .predZScore(predZ)
                .factorized(bool(argsFile, a, "factorized"))
                .deltaWScaling(positiveNumber(argsFile, a, "delta_w_scaling"))
                .multiTaskOffset(mtLora)
                .headUseBias(HyperConfig.referenceHeadBias(tt, predZ, mtLora)) // the CLI flag head_use_bias is ignored (§2.8)
                .baseModel(text(s, "model_dir"))
                .embModel(a.path("emb_model").asText(""));
    }

    /**
     * Finds the base model named by args.yaml {@code model_dir}: as given when absolute, else relative to the
     * checkpoint folder, its parent, and its grandparent (the fixtures keep {@code t2l/<variant>} beside
     * {@code mistral}); failing that, an error that says to pass the model folder.
     */
    public static Path resolveBaseModel(Path dir, String modelDir) {
        Path p = Path.of(modelDir);
        List<Path> tried = new ArrayList<>();
        if (p.isAbsolute()) {
            tried.add(p);
        } else {
            Path abs = dir.toAbsolutePath().normalize();
            for (Path base = abs; base != null && tried.size() < 3; base = base.getParent()) {
                tried.add(base.resolve(modelDir).normalize());
            }
        }
        for (Path t : new LinkedHashSet<>(tried)) {
            if (Files.exists(t.resolve("config.json"))) {
                return t;
            }
        }
        throw new T2lException(dir + ": cannot find the base model '" + modelDir + "' named by args.yaml model_dir "
                + "(looked in " + tried + "); pass the base model folder with --model DIR");
    }

    private static List<String> strings(Path file, JsonNode a, String key) {
        JsonNode n = a.get(key);
        if (n == null || !n.isArray() || n.isEmpty()) {
            throw new T2lException(file + ": key '" + key + "' must be a non-empty list of task names (a one-hot "
                    + "checkpoint's task index table), found " + n);
        }
        List<String> out = new ArrayList<>();
        n.forEach(x -> out.add(x.asText()));
        return out;
    }

    private static String text(Settings s, String key) {
        JsonNode n = s.args().get(key);
        return n == null || n.isNull() ? "" : n.asText();
    }

    private static boolean bool(Path file, JsonNode a, String key) {
        JsonNode n = a.get(key);
        if (n == null || !n.isBoolean()) {
            throw new T2lException(file + ": key '" + key + "' must be true or false, found " + n);
        }
        return n.asBoolean();
    }

    /** A finite number > 0: a NaN, infinite or zero scaling would make every generated adapter non-finite. */
    private static double positiveNumber(Path file, JsonNode a, String key) {
        JsonNode n = a.get(key);
        if (n == null || !n.isNumber() || !Double.isFinite(n.asDouble()) || n.asDouble() <= 0) {
            throw new T2lException(file + ": key '" + key + "' must be a finite number > 0, found " + n);
        }
        return n.asDouble();
    }

    /** Hypernetwork widths above this can only be a typo: the paper's largest is 512. */
    private static final int MAX_WIDTH = 1 << 16;

    private static int positiveInt(Path file, JsonNode a, String key) {
        JsonNode n = a.get(key);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() <= 0 || n.asInt() > MAX_WIDTH) {
            throw new T2lException(file + ": key '" + key + "' must be an integer in [1, " + MAX_WIDTH + "], found " + n);
        }
        return n.asInt();
    }
}
