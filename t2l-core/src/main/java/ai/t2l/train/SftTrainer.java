package ai.t2l.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.t2l.io.T2lException;
import ai.t2l.train.data.Batch;
import ai.t2l.train.data.DescriptionSource;
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
 *
 * <p>Validation ({@code val/seen} in the reference: the tasks that have a validation split) every {@code valEvery}
 * steps, at step 0 and at the end. With a {@link CheckpointSelection} every validation point is also a scored
 * checkpoint: the best-scoring weights are the result (loaded into the source at the end, kept in the run folder's
 * {@code best/}), every score is in {@code metrics.jsonl} ({@code select_score}) and {@code selection.json}, and
 * training stops early after {@code patience} checkpoints without improvement (spec §6.6; issue 12 item 4).
 */
public final class SftTrainer {
    /** {@code descriptions}: which embedding row each example uses (INPUT: Hyperdecoders, spec §9). */
    public record Config(OptimConfig optim, int tasksPerBatch, int pointsPerTask, int epochs, long maxSteps,
            double labelSmoothing, double neftuneAlpha, double l2Generated, int valEvery, int checkpointEvery,
            long seed, DescriptionSource descriptions) {
        public Config {
            java.util.Objects.requireNonNull(descriptions, "descriptions");
        }

        /** Conditioned on the tasks' descriptions (T2L, one-hot T2L, multi-task LoRA). */
        public Config(OptimConfig optim, int tasksPerBatch, int pointsPerTask, int epochs, long maxSteps,
                double labelSmoothing, double neftuneAlpha, double l2Generated, int valEvery, int checkpointEvery,
                long seed) {
            this(optim, tasksPerBatch, pointsPerTask, epochs, maxSteps, labelSmoothing, neftuneAlpha, l2Generated,
                    valEvery, checkpointEvery, seed, DescriptionSource.TASK);
        }

        public Config withDescriptions(DescriptionSource d) {
            return new Config(optim, tasksPerBatch, pointsPerTask, epochs, maxSteps, labelSmoothing, neftuneAlpha,
                    l2Generated, valEvery, checkpointEvery, seed, d);
        }
    }

    /** {@code bestStep} −1 without selection; {@code stoppedEarly} when selection ended the run. */
    public record Result(long steps, double firstLoss, double lastLoss, double valLoss, long bestStep,
            double bestScore, boolean stoppedEarly) {}

    private SftTrainer() {}

    /** The reference's {@code val/seen} loss (spec §6.5), logged as {@code val_loss}; NaN when no task validates. */
    private static double validate(NDManager m, TrainableLm lm, LoraSource source, List<PreparedTask> tasks,
            List<float[][]> embeddings, int padId, long step, RunFolder run, TrainListener listener,
            List<ValidationSet> extra, DescriptionSource rowsOf) {
        double val = Validation.loss(m, lm, source, tasks, embeddings, Losses.Reduction.SAMPLE_MEAN, 8, padId, rowsOf);
        if (!Double.isNaN(val)) {
            run.metrics(Map.of("step", step, "val_loss", val));
            listener.onMessage("step " + step + ": validation loss " + val);
        }
        for (ValidationSet v : extra) {
            double x = Validation.loss(m, lm, source, v.tasks(), embeddings == null ? null : v.embeddings(),
                    Losses.Reduction.SAMPLE_MEAN, 8, padId, rowsOf);
            if (!Double.isNaN(x)) {
                run.metrics(Map.of("step", step, "val_" + v.name() + "_loss", x));
                listener.onMessage("step " + step + ": " + v.name() + " validation loss " + x);
            }
        }
        return val;
    }

    /** One checkpoint's score in metrics.jsonl, and selection.json rewritten from all of them (atomically). */
    private static void recordScore(RunFolder run, long step, double score, long bestStep, double bestScore,
            TrainListener listener) {
        run.metrics(Map.of("step", step, "select_score", score));
        var summary = Optimization.newState().put("best_step", bestStep).put("best_score", bestScore);
        var rows = summary.putArray("checkpoints");
        for (var row : run.readMetrics()) {
            if (row.has("select_score")) {
                rows.addObject().put("step", row.path("step").asLong()).put("score", row.path("select_score").asDouble());
            }
        }
        ai.t2l.io.AtomicFiles.writeString(run.dir().resolve("selection.json"), ai.t2l.io.Json.write(summary) + "\n");
        listener.onMessage("step " + step + ": checkpoint score " + score + " (best " + bestScore + " at step "
                + bestStep + ")");
    }

    /**
     * @param embeddings per task (same order as {@code tasks}), its description embeddings (nDesc, dim); null for
     *                   sources that ignore descriptions (multi-task LoRA)
     */
    public static Result train(TrainableLm lm, LoraSource source, List<PreparedTask> tasks, List<float[][]> embeddings,
            Config c, int padId, RunFolder run, TrainListener listener) {
        return train(lm, source, tasks, embeddings, c, padId, run, listener, null);
    }

    public static Result train(TrainableLm lm, LoraSource source, List<PreparedTask> tasks, List<float[][]> embeddings,
            Config c, int padId, RunFolder run, TrainListener listener, CheckpointSelection selection) {
        return train(lm, source, tasks, embeddings, c, padId, run, listener, selection, List.of());
    }

    /**
     * A further validation set, logged as {@code val_<name>_loss} at every validation point: the reference's
     * {@code val/unseen} (held-out SNI tasks, {@code valid[:500]}) and {@code val/benchmark} (the benchmarks'
     * training-derived splits), each with its tasks' metadata descriptions (spec §6.5). Its tasks' validation lists
     * are what is evaluated.
     */
    public record ValidationSet(String name, List<PreparedTask> tasks, List<float[][]> embeddings) {}

    public static Result train(TrainableLm lm, LoraSource source, List<PreparedTask> tasks, List<float[][]> embeddings,
            Config c, int padId, RunFolder run, TrainListener listener, CheckpointSelection selection,
            List<ValidationSet> extraValidation) {
        if (embeddings != null) {
            for (int t = 0; t < tasks.size(); t++) {
                if (embeddings.get(t) == null || embeddings.get(t).length == 0) {
                    throw new T2lException("task " + tasks.get(t).name() + " has no descriptions; SFT of a"
                            + " hypernetwork needs at least one per task");
                }
                PreparedTask p = tasks.get(t);
                int examples = p.train().size() + p.validation().size();
                if (c.descriptions() == DescriptionSource.INPUT && embeddings.get(t).length != examples) {
                    throw new T2lException("task " + p.name() + ": input-as-description needs one embedding per "
                            + "example (" + examples + "), found " + embeddings.get(t).length);
                }
            }
            for (ValidationSet v : extraValidation) {
                for (int t = 0; c.descriptions() == DescriptionSource.INPUT && t < v.tasks().size(); t++) {
                    PreparedTask p = v.tasks().get(t);
                    if (v.embeddings().get(t).length != p.train().size() + p.validation().size()) {
                        throw new T2lException("validation set " + v.name() + ", task " + p.name() + ": input-as-"
                                + "description needs one embedding per example (" + (p.train().size()
                                + p.validation().size()) + "), found " + v.embeddings().get(t).length);
                    }
                }
            }
        }
        if (selection != null && c.valEvery() <= 0) {
            throw new T2lException("checkpoint selection scores the checkpoints of validation points: set val_every > 0");
        }
        Rng rng = new Rng(c.seed());
        Sampler sampler = new HierarchicalSampler(tasks, c.tasksPerBatch(), c.pointsPerTask(), rng.split(),
                c.descriptions());
        long total = c.maxSteps() > 0 ? c.maxSteps() : (long) c.epochs() * sampler.stepsPerEpoch();
        LmObjective objective = new LmObjective(c.labelSmoothing(), c.neftuneAlpha(), c.l2Generated(),
                Losses.Reduction.SAMPLE_MEAN);
        try (NDManager m = NDManager.newBaseManager();
                Optimization opt = new Optimization(source.params(), c.optim(), total, rng)) {
            var resumed = opt.resume(run, sampler);
            double first = resumed.map(st -> st.path("first_loss").asDouble(Double.NaN)).orElse(Double.NaN);
            double bestScore = resumed.map(st -> st.path("best_score").asDouble(Double.NEGATIVE_INFINITY))
                    .orElse(Double.NEGATIVE_INFINITY);
            long bestStep = resumed.map(st -> st.path("best_step").asLong(-1)).orElse(-1L);
            int sinceBest = resumed.map(st -> st.path("since_best").asInt()).orElse(0);
            boolean stop = false;
            double val = Double.NaN;
            if (resumed.isEmpty() && c.valEvery() > 0) {
                // the reference validates (and checkpoints, for its watcher) before the first step
                val = validate(m, lm, source, tasks, embeddings, padId, 0, run, listener, extraValidation,
                        c.descriptions());
                if (selection != null) {
                    double score = selection.scorer().score(0);
                    bestScore = score;
                    bestStep = 0;
                    run.saveBest(source.params().toTensors(), Optimization.newState().put("step", 0).put("score", score));
                    recordScore(run, 0, score, bestStep, bestScore, listener);
                }
            }
            listener.onStart("train sft", opt.step(), total);
            long t0 = System.nanoTime();
            long tokens = 0;
            double last = Double.NaN;
            while (opt.step() < total && !stop) {
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
                boolean checkpoint = c.valEvery() > 0 && (step % c.valEvery() == 0 || step == total);
                if (checkpoint) {
                    val = validate(m, lm, source, tasks, embeddings, padId, step, run, listener, extraValidation,
                            c.descriptions());
                    if (selection != null) {
                        double score = selection.scorer().score(step);
                        if (score > bestScore) {
                            bestScore = score;
                            bestStep = step;
                            sinceBest = 0;
                            run.saveBest(source.params().toTensors(),
                                    Optimization.newState().put("step", step).put("score", score));
                        } else {
                            sinceBest++;
                        }
                        recordScore(run, step, score, bestStep, bestScore, listener);
                        if (sinceBest >= selection.patience()) {
                            stop = true;
                            listener.onMessage("early stop at step " + step + ": " + sinceBest
                                    + " checkpoints without a better score; keeping step " + bestStep
                                    + " (score " + bestScore + ")");
                        }
                    }
                }
                if (checkpoint || step % c.checkpointEvery() == 0 || step == total || stop) {
                    var state = Optimization.newState().put("first_loss", first);
                    if (selection != null && bestStep >= 0) {
                        state.put("best_score", bestScore).put("best_step", bestStep).put("since_best", sinceBest);
                    }
                    opt.save(run, sampler, state);
                }
            }
            if (selection != null && bestStep >= 0) {
                source.params().load(run.readBest(), run.dir().resolve("best").toString());
            }
            run.writeLossCurve("SFT");
            listener.onEnd(opt.step());
            return new Result(opt.step(), first, last, val, bestStep, bestScore, stop);
        }
    }
}
