package ai.t2l.hypernet;

import ai.t2l.lora.LoraConfig;
import ai.t2l.model.ModelConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything that fixes a HyperModulator's shapes and numerics (T2L-SPEC §2.1). The module order is explicit:
 * {@code lora.targetModules()} position = module-type embedding index = head order (the reference takes it from a
 * Python set, §2.3). Build with {@link #builder()}.
 *
 * @param modules      per target module, in embedding-index order: its in and out features
 * @param headUseBias  whether the heads have a bias (the reference derives it, see {@link #referenceHeadBias})
 * @param baseModel    the base model the hypernet was made for, as recorded (reference {@code model_dir})
 * @param embModel     the description encoder it was trained with (reference {@code emb_model}); informational
 * @param taskNames    for {@link TaskEncoderType#ONE_HOT}: the training tasks in one-hot index order (the reference's
 *                     {@code train_ds_names}; see {@link OneHotTasks}); empty for description encoders
 * @param inputAsDescription trained with each example's own input as its description (the reference's
 *                     {@code use_inp_as_desc}: the Hyperdecoders baseline, spec §9); evaluation then generates one
 *                     adapter per item from the item's prompt
 */
public record HyperConfig(
        Variant variant,
        boolean learnablePosEmb,
        int latentSize,
        int headInSize,
        int taskEmbDim,
        TaskEncoderType encoderType,
        LoraConfig lora,
        Map<String, ModuleDims> modules,
        int numLayers,
        TrainingTask trainingTask,
        boolean predZScore,
        boolean factorized,
        double deltaWScaling,
        boolean headUseBias,
        String baseModel,
        String embModel,
        List<String> taskNames,
        boolean inputAsDescription) {

    /** Input and output width of one adapted projection. */
    public record ModuleDims(int in, int out) {}

    public HyperConfig {
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(encoderType, "encoderType");
        Objects.requireNonNull(lora, "lora");
        Objects.requireNonNull(trainingTask, "trainingTask");
        modules = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(modules));
        taskNames = List.copyOf(taskNames == null ? List.of() : taskNames);
        checkTaskNames(encoderType, taskEmbDim, taskNames, inputAsDescription);
        if (latentSize < 4 || headInSize < 1 || taskEmbDim < 1 || numLayers < 1) {
            throw new IllegalArgumentException("latent size (" + latentSize + ") must be at least 4; head input ("
                    + headInSize + "), task embedding (" + taskEmbDim + ") and layer count (" + numLayers
                    + ") must be positive");
        }
        if (!modules.keySet().equals(new java.util.LinkedHashSet<>(lora.targetModules()))
                || !List.copyOf(modules.keySet()).equals(lora.targetModules())) {
            throw new IllegalArgumentException("module dims " + modules.keySet()
                    + " must list exactly the LoRA target modules in the same order " + lora.targetModules());
        }
        if (learnablePosEmb && !variant.autoregGen) {
            throw new IllegalArgumentException("learnable_pos_emb needs an autoregressive variant (S), not " + variant);
        }
        if (variant.autoregGen && !learnablePosEmb && mlpWidth(latentSize) % 2 != 0) {
            throw new IllegalArgumentException("rotary positions need an even trunk width, got " + mlpWidth(latentSize));
        }
    }

    /**
     * A one-hot hypernetwork carries its task → index table (the reference reads it from args.yaml
     * {@code train_ds_names}); a description encoder has none. Input-as-description needs a text encoder.
     */
    private static void checkTaskNames(TaskEncoderType type, int taskEmbDim, List<String> names, boolean inputAsDesc) {
        if (type == TaskEncoderType.LINEAR) {
            if (!names.isEmpty()) {
                throw new IllegalArgumentException("task names (the one-hot index table) are only for a one_hot task "
                        + "encoder, found " + names.size() + " with encoder linear");
            }
            return;
        }
        if (inputAsDesc) {
            throw new IllegalArgumentException("a one_hot task encoder cannot take the input as description "
                    + "(the reference asserts the same: one_hot needs use_per_task_emb)");
        }
        if (names.size() != taskEmbDim) {
            throw new IllegalArgumentException("a one_hot task encoder of width " + taskEmbDim + " needs " + taskEmbDim
                    + " task names (its training tasks in index order), found " + names.size());
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String n : names) {
            if (n == null || n.isBlank() || !seen.add(n)) {
                throw new IllegalArgumentException("one-hot task names must be distinct and non-empty, found '" + n
                        + "' in " + (names.size() > 8 ? names.subList(0, 8) + "..." : names));
            }
        }
    }

    /** The reference's head-bias rule (T2L-SPEC §2.8): {@code (sft and no mt_lora_path) or (recon and not pred_z_score)}. */
    public static boolean referenceHeadBias(TrainingTask task, boolean predZScore, boolean multiTaskOffset) {
        return task == TrainingTask.SFT ? !multiTaskOffset : !predZScore;
    }

    private static int mlpWidth(int latent) {
        return latent / 2 + 2 * (latent / 4);
    }

    /** E: encoded task-embedding width (latent/2). */
    public int encodedTaskDim() {
        return latentSize / 2;
    }

    /** D = T: depth and module-type embedding widths (latent/4). */
    public int positionDim() {
        return latentSize / 4;
    }

    /** M = E + D + T: the trunk width. */
    public int mlpWidth() {
        return mlpWidth(latentSize);
    }

    public int rank() {
        return lora.r();
    }

    public List<String> moduleOrder() {
        return lora.targetModules();
    }

    public ModuleDims dims(String module) {
        ModuleDims d = modules.get(module);
        if (d == null) {
            throw new IllegalArgumentException("'" + module + "' is not a target module of this hypernetwork "
                    + moduleOrder());
        }
        return d;
    }

    /** Head output width per module (T2L-SPEC §2.6). */
    public int headOutSize(String module) {
        ModuleDims d = dims(module);
        int r = rank();
        return switch (variant) {
            case L -> r * (d.in() + d.out());
            case L_AUTOREG -> d.in() + d.out();
            case M -> r * Math.max(d.in(), d.out());
            case S -> Math.max(d.in(), d.out());
        };
    }

    /** Trainable tensors in reference state-dict order, with their shapes (T2L-SPEC §4.2). */
    public Map<String, long[]> parameterShapes() {
        int e = encodedTaskDim();
        int p = positionDim();
        int m = mlpWidth();
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put("task_encoder.mlp.0.weight", new long[] {e, taskEmbDim});
        s.put("task_encoder.mlp.0.bias", new long[] {e});
        s.put("task_encoder.mlp.1.weight", new long[] {e});
        s.put("task_encoder.mlp.1.bias", new long[] {e});
        s.put("layer_depth_encoder.0.weight", new long[] {numLayers, p});
        s.put("layer_depth_encoder.1.weight", new long[] {p});
        s.put("layer_depth_encoder.1.bias", new long[] {p});
        s.put("layer_type_encoder.0.weight", new long[] {modules.size(), p});
        s.put("layer_type_encoder.1.weight", new long[] {p});
        s.put("layer_type_encoder.1.bias", new long[] {p});
        linear(s, "mixer.1", m, 4 * m);
        linear(s, "mixer.4", 4 * m, m);
        for (String block : List.of("mlp1.mlp", "mlp2.mlp")) {
            norm(s, block + ".0", m);
            linear(s, block + ".1", m, 4 * m);
            linear(s, block + ".4", 4 * m, m);
        }
        norm(s, "mlp3.0", m);
        linear(s, "mlp3.1", m, 4 * m);
        linear(s, "mlp3.4", 4 * m, headInSize);
        if (learnablePosEmb) {
            s.put("pos_emb.0.weight", new long[] {rank(), m});
            norm(s, "pos_emb.1", m);
        }
        if (variant.sharedAbHead) {
            for (String mod : moduleOrder()) {
                s.put("out_emb." + mod + ".A", new long[] {m});
                s.put("out_emb." + mod + ".B", new long[] {m});
            }
            norm(s, "out_emb_norm", m);
        }
        for (String mod : moduleOrder()) {
            s.put("heads." + mod + ".weight", new long[] {headOutSize(mod), headInSize});
            if (headUseBias) {
                s.put("heads." + mod + ".bias", new long[] {headOutSize(mod)});
            }
        }
        return s;
    }

    /** The non-trainable tensors the reference keeps in its state dict (T2L-SPEC §2.9): (L, r, in) and (L, out, r). */
    public Map<String, long[]> bufferShapes() {
        Map<String, long[]> s = new LinkedHashMap<>();
        for (String dict : List.of("AB_offset", "mean_recon_target", "std_recon_target")) {
            for (String mod : moduleOrder()) {
                s.put(dict + ".A." + mod, new long[] {numLayers, rank(), dims(mod).in()});
            }
            for (String mod : moduleOrder()) {
                s.put(dict + ".B." + mod, new long[] {numLayers, dims(mod).out(), rank()});
            }
        }
        return s;
    }

    /** Trainable parameter count (T2L-SPEC §2.10), computed from shapes alone. */
    public long parameterCount() {
        return parameterShapes().values().stream().mapToLong(ai.t2l.io.FloatTensor::numel).sum();
    }

    private static void linear(Map<String, long[]> s, String name, int in, int out) {
        s.put(name + ".weight", new long[] {out, in});
        s.put(name + ".bias", new long[] {out});
    }

    private static void norm(Map<String, long[]> s, String name, int dim) {
        s.put(name + ".weight", new long[] {dim});
        s.put(name + ".bias", new long[] {dim});
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Required: lora, module dims (or {@link #dimsFrom}), taskEmbDim; everything else has the reference default. */
    public static final class Builder {
        private Variant variant = Variant.L;
        private boolean learnablePosEmb;
        private int latentSize = 128;
        private int headInSize = 512;
        private int taskEmbDim = -1;
        private TaskEncoderType encoderType = TaskEncoderType.LINEAR;
        private LoraConfig lora = LoraConfig.t2lDefault();
        private final Map<String, ModuleDims> modules = new LinkedHashMap<>();
        private int numLayers = -1;
        private TrainingTask trainingTask = TrainingTask.SFT;
        private boolean predZScore = true;
        private boolean factorized;
        private double deltaWScaling = 10000;
        private Boolean headUseBias;
        private boolean multiTaskOffset;
        private String baseModel = "";
        private String embModel = "";
        private List<String> taskNames = List.of();
        private boolean inputAsDescription;

        public Builder variant(Variant v) {
            variant = v;
            return this;
        }

        public Builder learnablePosEmb(boolean b) {
            learnablePosEmb = b;
            return this;
        }

        public Builder latentSize(int n) {
            latentSize = n;
            return this;
        }

        public Builder headInSize(int n) {
            headInSize = n;
            return this;
        }

        public Builder taskEmbDim(int n) {
            taskEmbDim = n;
            return this;
        }

        public Builder encoderType(TaskEncoderType t) {
            encoderType = t;
            return this;
        }

        public Builder lora(LoraConfig c) {
            lora = c;
            return this;
        }

        public Builder module(String name, int in, int out) {
            modules.put(name, new ModuleDims(in, out));
            return this;
        }

        public Builder numLayers(int n) {
            numLayers = n;
            return this;
        }

        /** Layer count and every target module's dims from a base model's config.json. */
        public Builder dimsFrom(ModelConfig m) {
            numLayers = m.numLayers();
            modules.clear();
            for (String mod : lora.targetModules()) {
                modules.put(mod, new ModuleDims(m.inFeatures(mod), m.outFeatures(mod)));
            }
            return this;
        }

        public Builder trainingTask(TrainingTask t) {
            trainingTask = t;
            return this;
        }

        public Builder predZScore(boolean b) {
            predZScore = b;
            return this;
        }

        public Builder factorized(boolean b) {
            factorized = b;
            return this;
        }

        public Builder deltaWScaling(double d) {
            deltaWScaling = d;
            return this;
        }

        /** Overrides the reference rule {@link HyperConfig#referenceHeadBias}. */
        public Builder headUseBias(boolean b) {
            headUseBias = b;
            return this;
        }

        /** The reference's {@code mt_lora_path}: AB_offset holds a multi-task LoRA, SFT heads get no bias. */
        public Builder multiTaskOffset(boolean b) {
            multiTaskOffset = b;
            return this;
        }

        public Builder baseModel(String s) {
            baseModel = s == null ? "" : s;
            return this;
        }

        public Builder embModel(String s) {
            embModel = s == null ? "" : s;
            return this;
        }

        /** The one-hot index table: the training tasks in index order ({@link TaskEncoderType#ONE_HOT} only). */
        public Builder taskNames(List<String> names) {
            taskNames = names == null ? List.of() : List.copyOf(names);
            return this;
        }

        /** Trained with each example's input as its description (Hyperdecoders, reference use_inp_as_desc). */
        public Builder inputAsDescription(boolean b) {
            inputAsDescription = b;
            return this;
        }

        public HyperConfig build() {
            if (taskEmbDim < 1 || numLayers < 1 || modules.isEmpty()) {
                throw new IllegalArgumentException("HyperConfig needs taskEmbDim, numLayers and module dims");
            }
            boolean bias = headUseBias != null ? headUseBias
                    : referenceHeadBias(trainingTask, predZScore, multiTaskOffset);
            return new HyperConfig(variant, learnablePosEmb, latentSize, headInSize, taskEmbDim, encoderType, lora,
                    modules, numLayers, trainingTask, predZScore, factorized, deltaWScaling, bias, baseModel,
                    embModel, taskNames, inputAsDescription);
        }
    }
}
