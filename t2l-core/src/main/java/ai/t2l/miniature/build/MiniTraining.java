package ai.t2l.miniature.build;

import ai.djl.ndarray.NDManager;
import ai.t2l.hypernet.HyperModulator;
import ai.t2l.io.Json;
import ai.t2l.lora.LoraConfig;
import ai.t2l.lora.LoraWeights;
import ai.t2l.model.Transformer;
import ai.t2l.train.BaseModelTrainer;
import ai.t2l.train.GradientPeer;
import ai.t2l.train.GradientShards;
import ai.t2l.train.HyperLoraSource;
import ai.t2l.train.OptimConfig;
import ai.t2l.train.OracleLoraTrainer;
import ai.t2l.train.ReconTrainer;
import ai.t2l.train.Rng;
import ai.t2l.train.SftTrainer;
import ai.t2l.train.SharedLora;
import ai.t2l.train.TrainListener;
import ai.t2l.train.TransformerLm;
import ai.t2l.train.data.PreparedTask;
import ai.t2l.train.run.RunFolder;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The miniature's training stages, each one call to the trainer a user runs on a real model ({@code ai.t2l.train}):
 * {@link BaseModelTrainer}, {@link OracleLoraTrainer}, {@link SftTrainer} (T2L; with a {@link SharedLora} the
 * multi-task LoRA, spec §9) and {@link ReconTrainer}. Same optimiser, schedule, clipping, objectives, samplers and
 * checkpoints as `t2l train`: a run folder per stage under {@code runs}, so an interrupted stage continues from its
 * last checkpoint. The loss curve of each run comes back from its metrics log.
 */
final class MiniTraining {
    /** Linear warm-up over the first 10% of the steps, then linear decay (spec §5.3, §6.4). */
    static final double WARMUP_FRACTION = 0.1;
    /** Global gradient-norm clipping (spec §5.1, §6.4). */
    static final double MAX_GRAD_NORM = 1.0;
    /** Oracle LoRAs: validation loss on the task's validation words every so many steps; the best weights are kept. */
    static final int ORACLE_VAL_EVERY = 20;
    static final int ORACLE_PATIENCE = 3;
    /**
     * Validation loss of the base model on the training tasks' validation words (reported, never selected on). Every
     * 1,000 steps: each pass reads all 6,240 validation rows, about 7 s, so 500 cost the stage 15 passes (≈ 15%).
     */
    static final int BASE_VAL_EVERY = 1000;
    /**
     * The base model's rows run from 26 to 260 characters (bare prompts, descriptions, three examples): plain
     * shuffled batches of 32 pad to about 2.1× their real tokens, batches from pools of 16 sorted by length to 1.1×
     * (measured on the standard world's 49,920 rows), which halves the stage's work.
     */
    static final int BASE_LENGTH_POOL = 16;

    private final Progress progress;
    private final int checkpointEvery;

    MiniTraining(Progress progress, int checkpointEvery) {
        this.progress = progress;
        this.checkpointEvery = checkpointEvery;
    }

    static OptimConfig optim(MiniSettings.Stage s) {
        return new OptimConfig(s.lr(), s.weightDecay(), WARMUP_FRACTION, MAX_GRAD_NORM);
    }

    /**
     * Who computes the base model's two half-batches ({@link GradientShards}): this process alone, or this process
     * the first half while a second process, the follower, computes the other (the same bytes either way).
     */
    enum BaseRole { ALONE, LEADER, FOLLOWER }

    /** The rendezvous file of the two base-model processes, in the stage's run folder ({@link GradientPeer}). */
    static final String BASE_RENDEZVOUS = "peer.json";

    /**
     * The generalist base model: every weight of {@code model}, trained in place, each step's batch in two halves.
     * Returns the loss curve (null for the follower, which writes nothing).
     *
     * @param secondAlive for the leader: whether the follower's process still runs (no waiting for a dead one)
     */
    JsonNode base(Transformer model, List<PreparedTask> tasks, MiniSettings.Stage s, int padId, long seed, Path runDir,
            BaseRole role, BooleanSupplier secondAlive) {
        BaseModelTrainer.Config c = new BaseModelTrainer.Config(optim(s), s.batch(), BASE_LENGTH_POOL, 0, s.steps(), 0,
                0, BASE_VAL_EVERY, checkpointEvery, seed);
        Path rendezvous = runDir.resolve(BASE_RENDEZVOUS);
        if (role == BaseRole.FOLLOWER) { // the leader opens the run folder before it publishes the rendezvous
            try (GradientPeer peer = GradientPeer.follow(rendezvous, GradientPeer.WAIT_MILLIS)) {
                BaseModelTrainer.train(model, tasks, c, padId, open(runDir, "base"), null, TrainListener.NONE, peer);
                return null;
            }
        }
        RunFolder run = open(runDir, "base");
        if (role == BaseRole.LEADER) {
            try (GradientPeer peer = GradientPeer.lead(rendezvous, GradientPeer.WAIT_MILLIS, secondAlive)) {
                BaseModelTrainer.train(model, tasks, c, padId, run, null, listener(0, ""), peer);
            }
        } else {
            BaseModelTrainer.train(model, tasks, c, padId, run, null, listener(0, ""), GradientShards.local());
        }
        return curve(run);
    }

    /**
     * One oracle LoRA per task, one after another, all from the same initialisation (the reference's oracle runs
     * all start from seed 42); each keeps its best weights by validation loss.
     */
    List<LoraWeights> oracles(Transformer model, List<PreparedTask> tasks, MiniSettings.Stage s, LoraConfig lora,
            int padId, long seed, String baseModel, Path runDir) {
        TransformerLm lm = new TransformerLm(model);
        List<LoraWeights> out = new ArrayList<>();
        for (int t = 0; t < tasks.size(); t++) {
            PreparedTask task = tasks.get(t);
            RunFolder run = open(runDir.resolve(task.name()), "oracle");
            String label = String.format(Locale.ROOT, "task %d/%d ", t + 1, tasks.size());
            out.add(OracleLoraTrainer.train(lm, task, new OracleLoraTrainer.Config(lora, optim(s), s.batch(), 0,
                    s.steps(), 0, 0, ORACLE_VAL_EVERY, ORACLE_PATIENCE, checkpointEvery, seed, baseModel), padId, run,
                    listener((long) t * s.steps(), label)).adapter());
        }
        return out;
    }

    /** The multi-task LoRA's weights and its loss curve. */
    record MultiTask(LoraWeights weights, JsonNode curve) {}

    /**
     * One LoRA for all tasks: SFT of a shared adapter, no descriptions (spec §9's multi-task baseline), validated like
     * T2L's SFT every {@code valEvery} steps (a curve, never selected on).
     */
    MultiTask multiTask(Transformer model, List<PreparedTask> tasks, MiniSettings.Stage s, LoraConfig lora,
            int tasksPerStep, int valEvery, int padId, long seed, Path runDir) {
        TransformerLm lm = new TransformerLm(model);
        RunFolder run = open(runDir, "multitask");
        try (NDManager m = NDManager.newBaseManager(); SharedLora shared = new SharedLora(m, lora, lm, new Rng(seed))) {
            SftTrainer.train(lm, shared, tasks, null, sftConfig(s, tasksPerStep, 0, valEvery, seed), padId, run,
                    listener(0, ""));
            return new MultiTask(shared.toLoraWeights(), curve(run));
        }
    }

    /** T2L by SFT through the frozen base (spec §6): trains {@code hm} in place. Returns the loss curve. */
    JsonNode sft(Transformer model, HyperModulator hm, List<PreparedTask> tasks, List<float[][]> embeddings,
            MiniSettings.Stage s, int tasksPerStep, double l2Generated, int valEvery, int padId, long seed,
            Path runDir) {
        RunFolder run = open(runDir, "sft");
        try (NDManager m = NDManager.newBaseManager(); HyperLoraSource source = new HyperLoraSource(hm, m)) {
            SftTrainer.train(new TransformerLm(model), source, tasks, embeddings,
                    sftConfig(s, tasksPerStep, l2Generated, valEvery, seed), padId, run, listener(0, ""));
        } finally {
            frozen(hm);
        }
        return curve(run);
    }

    /** T2L by reconstruction of the library, factorised with z-scored targets (spec §5.2–§5.3). */
    JsonNode recon(HyperModulator hm, List<LoraWeights> library, List<float[][]> embeddings, MiniSettings.Stage s,
            long seed, Path runDir) {
        RunFolder run = open(runDir, "recon");
        try (NDManager m = NDManager.newBaseManager(); HyperLoraSource source = new HyperLoraSource(hm, m)) {
            ReconTrainer.train(source, library, embeddings, new ReconTrainer.Config(optim(s), s.batch(), 1, 0,
                    s.steps(), true, true, 1.0, checkpointEvery, seed), run, listener(0, "L1 "));
        } finally {
            frozen(hm);
        }
        return curve(run);
    }

    private SftTrainer.Config sftConfig(MiniSettings.Stage s, int tasksPerStep, double l2Generated, int valEvery,
            long seed) {
        int perTask = Math.max(1, s.batch() / tasksPerStep);
        return new SftTrainer.Config(optim(s), tasksPerStep, perTask, 0, s.steps(), 0, 0, l2Generated, valEvery,
                checkpointEvery, seed);
    }

    /** Back to inference: evaluation mode (no dropout), no autograd bookkeeping on the parameters. */
    private static void frozen(HyperModulator hm) {
        hm.setTraining(false);
        hm.parameters().values().forEach(p -> p.setRequiresGradient(false));
    }

    private static RunFolder open(Path dir, String kind) {
        return RunFolder.open(dir, "miniature " + kind, Json.MAPPER.createObjectNode().put("stage", kind), Map.of(),
                true);
    }

    private TrainListener listener(long offset, String label) {
        return new TrainListener() {
            @Override
            public void onStep(long step, long total, double loss, double lr, double tokensPerSecond) {
                progress.step(offset + step, String.format(Locale.ROOT, "%sloss %.3f", label, loss));
            }
        };
    }

    /** The run's training losses in order, from its metrics log, as a compact curve. */
    private static JsonNode curve(RunFolder run) {
        List<Double> losses = new ArrayList<>();
        List<double[]> val = new ArrayList<>();
        for (JsonNode row : run.readMetrics()) {
            if (row.has("loss")) {
                losses.add(row.get("loss").asDouble());
            }
            if (row.has("val_loss")) {
                val.add(new double[] {row.path("step").asDouble(), row.get("val_loss").asDouble()});
            }
        }
        return MiniatureBuild.curve(losses, val);
    }
}
