package ai.t2l.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.t2l.io.T2lException;
import ai.t2l.train.data.Batch;
import ai.t2l.train.data.HierarchicalSampler;
import ai.t2l.train.data.PreparedTask;
import ai.t2l.train.data.Sampler;
import ai.t2l.train.run.RunFolder;
import java.util.List;
import java.util.Map;

/**
 * SFT through the frozen base model (spec §6): each step samples n tasks × k examples (hierarchical sampler,
 * §6.3), gives every row a LoRA generated from one of its task's description embeddings, and backpropagates the
 * per-sample token-mean cross-entropy (+ L2 on the generated A/B) into the source's parameters only. With a
 * {@link SharedLora} source and no embeddings this is the multi-task LoRA baseline (§9).
 */
public final class SftTrainer {
    public record Config(OptimConfig optim, int tasksPerBatch, int pointsPerTask, int epochs, long maxSteps,
            double labelSmoothing, double neftuneAlpha, double l2Generated, int valEvery, int checkpointEvery,
            long seed) {}

    public record Result(long steps, double firstLoss, double lastLoss, double valLoss) {}

    private SftTrainer() {}

    /**
     * @param embeddings per task (same order as {@code tasks}), its description embeddings (nDesc, dim); null for
     *                   sources that ignore descriptions (multi-task LoRA)
     */
    public static Result train(TrainableLm lm, LoraSource source, List<PreparedTask> tasks, List<float[][]> embeddings,
            Config c, int padId, RunFolder run, TrainListener listener) {
        if (embeddings != null) {
            for (int t = 0; t < tasks.size(); t++) {
                if (embeddings.get(t) == null || embeddings.get(t).length == 0) {
                    throw new T2lException("task " + tasks.get(t).name() + " has no descriptions; SFT of a"
                            + " hypernetwork needs at least one per task");
                }
            }
        }
        Rng rng = new Rng(c.seed());
        Sampler sampler = new HierarchicalSampler(tasks, c.tasksPerBatch(), c.pointsPerTask(), rng.split());
        long total = c.maxSteps() > 0 ? c.maxSteps() : (long) c.epochs() * sampler.stepsPerEpoch();
        LmObjective objective = new LmObjective(c.labelSmoothing(), c.neftuneAlpha(), c.l2Generated(),
                Losses.Reduction.SAMPLE_MEAN);
        try (NDManager m = NDManager.newBaseManager();
                Optimization opt = new Optimization(source.params(), c.optim(), total, rng)) {
            double first = opt.resume(run, sampler).map(st -> st.path("first_loss").asDouble(Double.NaN))
                    .orElse(Double.NaN);
            listener.onStart("train sft", opt.step(), total);
            long t0 = System.nanoTime();
            long tokens = 0;
            double last = Double.NaN;
            double val = Double.NaN;
            while (opt.step() < total) {
                Batch batch = Batch.of(tasks, sampler.next(), padId);
                last = opt.run(m, scope -> {
                    NDArray emb = LmObjective.embeddingRows(scope, batch, embeddings, lm.dataType());
                    return objective.loss(scope, lm, source, batch, emb, true)[0];
                });
                first = Double.isNaN(first) ? last : first;
                tokens += batch.targetTokens();
                long step = opt.step();
                run.metrics(Map.of("step", step, "loss", last, "lr", opt.currentLr(), "grad_norm", opt.lastGradNorm()));
                listener.onStep(step, total, last, opt.currentLr(), tokens / ((System.nanoTime() - t0) / 1e9));
                if (c.valEvery() > 0 && (step % c.valEvery() == 0 || step == total)) {
                    val = Validation.loss(m, lm, source, tasks, embeddings, Losses.Reduction.SAMPLE_MEAN, 8, padId);
                    if (!Double.isNaN(val)) {
                        run.metrics(Map.of("step", step, "val_loss", val));
                        listener.onMessage("step " + step + ": validation loss " + val);
                    }
                }
                if (step % c.checkpointEvery() == 0 || step == total) {
                    opt.save(run, sampler, Optimization.newState().put("first_loss", first));
                }
            }
            run.writeLossCurve("SFT");
            listener.onEnd(opt.step());
            return new Result(opt.step(), first, last, val);
        }
    }
}
