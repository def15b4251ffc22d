package ai.t2l.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import ai.t2l.model.Dropout;
import ai.t2l.train.data.Sampler;
import ai.t2l.train.run.Checkpoint;
import ai.t2l.train.run.RunFolder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The part every trainer shares: one optimisation step (seed the engine RNG and the dropout masks from our saved RNG,
 * forward, backward, clip, AdamW at the scheduled learning rate, zero gradients) and the exact save/restore of that
 * machinery.
 */
public final class Optimization implements AutoCloseable {
    private final ParamSet params;
    private final AdamW adamW;
    private final LinearSchedule schedule;
    private final double maxGradNorm;
    private final Rng rng;
    private long step;
    private double lastGradNorm;
    private StepTimes lastTimes = StepTimes.NONE;

    public Optimization(ParamSet params, OptimConfig c, long totalSteps, Rng rng) {
        this.params = params;
        this.adamW = new AdamW(c.adamW(), params.manager());
        this.schedule = LinearSchedule.ofFraction(c.lr(), c.warmupFrac(), totalSteps);
        this.maxGradNorm = c.maxGradNorm();
        this.rng = rng;
    }

    public long step() {
        return step;
    }

    public Rng rng() {
        return rng;
    }

    public double lastGradNorm() {
        return lastGradNorm;
    }

    /** Per-phase wall time of the last completed step. */
    public StepTimes lastTimes() {
        return lastTimes;
    }

    public double currentLr() {
        return schedule.lr(step);
    }

    /**
     * Runs one step. {@code loss} builds the scalar loss in the given scope (arrays created there are freed after
     * the step). Throws with a clear message, before touching the weights, when the loss or the gradient is not
     * finite: the run's last checkpoint stays the last good state.
     */
    public double run(NDManager parent, Function<NDManager, NDArray> loss) {
        seed(rng.nextLong());
        double value;
        long t0 = System.nanoTime();
        long t1;
        long t2;
        try (NDManager scope = params.scope(parent); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray l = loss.apply(scope);
            value = l.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
            requireFiniteLoss(value);
            t1 = System.nanoTime();
            gc.backward(l);
        }
        t2 = System.nanoTime(); // backward includes freeing the step's forward arrays
        update(parent, t0, t1, t2);
        return value;
    }

    /**
     * One step whose batch is cut into {@link GradientShards#COUNT} shards: {@code shardLoss.apply(s)} builds shard
     * s's loss, scaled so that the shards' losses add up to the whole batch's. This process computes the shards
     * {@code shards} gives it (each with its own seed, derived from the step's: the same wherever it runs), the
     * gradients of all shards are added in shard order, and clipping and AdamW follow as in {@link #run}. Returns
     * the whole batch's loss.
     */
    public double runShards(NDManager parent, IntFunction<Function<NDManager, NDArray>> shardLoss,
            GradientShards shards) {
        long stepSeed = rng.nextLong();
        long t0 = System.nanoTime();
        long forward = 0;
        List<float[]> mine = new ArrayList<>();
        for (int s : shards.own()) {
            seed(stepSeed + s);
            long f0 = System.nanoTime();
            float loss;
            try (NDManager scope = params.scope(parent);
                    GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray l = shardLoss.apply(s).apply(scope);
                loss = l.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).getFloat();
                forward += System.nanoTime() - f0;
                gc.backward(l);
            }
            float[] g = params.flatGradients();
            float[] withLoss = Arrays.copyOf(g, g.length + 1);
            withLoss[g.length] = loss; // the shard's loss travels with its gradients
            mine.add(withLoss);
            params.zeroGrad();
        }
        float[] sum = GradientShards.sum(shards.all(step + 1, mine));
        double value = sum[sum.length - 1];
        requireFiniteLoss(value);
        params.setGradients(sum);
        long t2 = System.nanoTime();
        update(parent, t0, t0 + forward, t2);
        return value;
    }

    /** The engine's generator (NEFTune noise) and the dropout masks of a step, or of one shard of it. */
    private static void seed(long stepSeed) {
        Engine.getInstance().setRandomSeed((int) stepSeed);
        Dropout.seed(stepSeed);
    }

    /** Stops before the weights are touched when the step's loss is not finite. */
    private void requireFiniteLoss(double value) {
        if (!Double.isFinite(value)) {
            throw new T2lException("step " + (step + 1) + ": loss is " + value + " (learning rate " + currentLr()
                    + "); training stopped, the last good checkpoint is kept");
        }
    }

    /** Clipping, AdamW at the scheduled rate and zeroing, once the step's gradients are in place. */
    private void update(NDManager parent, long t0, long t1, long t2) {
        long t3;
        long t4;
        try (NDManager scope = params.scope(parent)) {
            lastGradNorm = GradClip.norm(params);
            if (!Double.isFinite(lastGradNorm)) {
                params.zeroGrad();
                throw new T2lException("step " + (step + 1) + ": gradient norm is " + lastGradNorm
                        + "; training stopped, the last good checkpoint is kept");
            }
            t3 = System.nanoTime();
            adamW.step(params, schedule.lr(step), GradClip.coefficient(lastGradNorm, maxGradNorm));
            t4 = System.nanoTime();
        }
        params.zeroGrad();
        lastTimes = new StepTimes(t1 - t0, t2 - t1, t3 - t2, t4 - t3, System.nanoTime() - t4);
        step++;
    }

    /** A checkpoint of weights, optimiser and RNG, plus whatever the trainer adds to {@code state}. */
    public Checkpoint checkpoint(ObjectNode state) {
        state.put("step", step);
        state.put("optimizer_step", adamW.stepCount());
        state.put("rng", rng.state());
        return new Checkpoint(step, params.toTensors(), adamW.stateTensors(), state);
    }

    public void restore(Checkpoint c, String source) {
        params.load(c.params(), source);
        adamW.loadState(c.state().path("optimizer_step").asLong(), c.optimizer(), params, source);
        rng.restore(c.state().path("rng").asLong());
        step = c.step();
    }

    /**
     * Continues from the run's last checkpoint, if it has one: weights, optimiser, RNG, the sampler's position, and
     * the metrics log cut back to that step. Returns the checkpoint's state for the trainer's own fields.
     */
    public Optional<JsonNode> resume(RunFolder run, Sampler sampler) {
        Optional<JsonNode> state = restoreLatest(run, sampler);
        state.ifPresent(st -> run.truncateMetricsAfter(step));
        return state;
    }

    /**
     * As {@link #resume}, reading only: the run folder is left as it is (the follower of a {@link GradientPeer}
     * pair, whose leader keeps the folder).
     */
    public Optional<JsonNode> restoreLatest(RunFolder run, Sampler sampler) {
        Optional<Checkpoint> resumed = run.latestCheckpoint();
        if (resumed.isEmpty()) {
            return Optional.empty();
        }
        Checkpoint ck = resumed.get();
        restore(ck, run.dir().toString());
        sampler.restore(SamplerStates.fromJson(ck.state().path("sampler")));
        return Optional.of(ck.state());
    }

    /** Saves a checkpoint that {@link #resume} continues from: the sampler's position plus the trainer's fields. */
    public void save(RunFolder run, Sampler sampler, ObjectNode trainerState) {
        trainerState.set("sampler", SamplerStates.toJson(sampler.state()));
        run.saveCheckpoint(checkpoint(trainerState));
    }

    public static ObjectNode newState() {
        return Json.MAPPER.createObjectNode();
    }

    @Override
    public void close() {
        adamW.close();
    }
}
