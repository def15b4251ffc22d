package ai.t2l.train;

import ai.djl.ndarray.NDManager;
import ai.t2l.model.ModelFolder;
import ai.t2l.model.Scalars;
import ai.t2l.model.Transformer;
import ai.t2l.train.data.Batch;
import ai.t2l.train.data.PreparedTask;
import ai.t2l.train.data.Sampler;
import ai.t2l.train.data.ShuffleSampler;
import ai.t2l.train.data.TokenizedExample;
import ai.t2l.train.run.RunFolder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Full-parameter training of the base model itself as a generalist over many tasks (the miniature's tiny base,
 * DESIGN §4): every weight of the Transformer is trained in place with the same next-token objective as the LoRA
 * trainers (prompt tokens masked, spec §7.4; token-mean loss as the oracle LoRA, §5.1), AdamW, warm-up + linear
 * decay, clipping. Batches are shuffled batches over the pooled examples of all tasks; with {@code lengthPool} > 1,
 * rows of similar length are batched together ({@link ShuffleSampler#byLength}). Steps: {@code maxSteps} when
 * positive, else epochs × batches per epoch. At the end the last weights are written as a Hugging Face model
 * folder {@code RUN/model} (config.json, model.safetensors, tokenizer files copied from {@code tokenizerDir}).
 */
public final class BaseModelTrainer {
    public static final String MODEL_DIR = "model";

    /** @param lengthPool batches per pool sorted by length (1: plain shuffled batches) */
    public record Config(OptimConfig optim, int batchSize, int lengthPool, int epochs, long maxSteps, double labelSmoothing,
            double neftuneAlpha, int valEvery, int checkpointEvery, long seed) {}

    public record Result(long steps, double firstLoss, double lastLoss, double valLoss, Path modelDir) {}

    private BaseModelTrainer() {}

    /** @param tokenizerDir folder whose tokenizer files go into the written model folder, or null */
    public static Result train(Transformer model, List<PreparedTask> tasks, Config c, int padId, RunFolder run,
            Path tokenizerDir, TrainListener listener) {
        return train(model, tasks, c, padId, run, tokenizerDir, listener, null);
    }

    /**
     * @param shards null: each step's loss and gradient over the whole batch at once; else the batch in halves
     *               ({@link GradientShards}): the first half's rows and the second's, each loss the sum over its
     *               target tokens divided by the whole batch's, so that the halves add up to the token mean. The same
     *               training, with other float sums, so other bytes than without shards. A process that does not
     *               {@link GradientShards#leads() lead} only computes its half: it reads the run folder's last
     *               checkpoint to start from and writes nothing (no metrics, validation, checkpoints or model).
     */
    public static Result train(Transformer model, List<PreparedTask> tasks, Config c, int padId, RunFolder run,
            Path tokenizerDir, TrainListener listener, GradientShards shards) {
        boolean writes = shards == null || shards.leads();
        TransformerLm lm = new TransformerLm(model);
        Rng rng = new Rng(c.seed());
        Sampler sampler = ShuffleSampler.byLength(tasks, c.batchSize(), rng.split(), c.lengthPool());
        List<PreparedTask> validation = validationByLength(tasks);
        long total = c.maxSteps() > 0 ? c.maxSteps() : (long) c.epochs() * sampler.stepsPerEpoch();
        LmObjective objective = new LmObjective(c.labelSmoothing(), c.neftuneAlpha(), 0, Losses.Reduction.TOKEN_MEAN);
        LmObjective shardObjective = new LmObjective(c.labelSmoothing(), c.neftuneAlpha(), 0,
                Losses.Reduction.TOKEN_SUM);
        ParamSet weights = lm.weights();
        try (NDManager m = NDManager.newBaseManager(); Optimization opt = new Optimization(weights, c.optim(), total, rng)) {
            double first = (writes ? opt.resume(run, sampler) : opt.restoreLatest(run, sampler))
                    .map(st -> st.path("first_loss").asDouble(Double.NaN)).orElse(Double.NaN);
            listener.onStart("train base", opt.step(), total);
            long t0 = System.nanoTime();
            long tokens = 0;
            double last = Double.NaN;
            double val = Double.NaN;
            while (opt.step() < total) {
                List<Sampler.Item> items = sampler.next();
                long batchTokens;
                if (shards == null) {
                    Batch batch = Batch.of(tasks, items, padId);
                    last = opt.run(m, scope -> objective.loss(scope, lm, null, batch, null, true)[0]);
                    batchTokens = batch.targetTokens();
                } else {
                    int half = (items.size() + 1) / 2;
                    Batch[] halves = {Batch.of(tasks, items.subList(0, half), padId),
                            Batch.of(tasks, items.subList(half, items.size()), padId)};
                    batchTokens = halves[0].targetTokens() + halves[1].targetTokens();
                    double count = Math.max(1, batchTokens);
                    last = opt.runShards(m, s -> scope -> Scalars.div(
                            shardObjective.loss(scope, lm, null, halves[s], null, true)[0], count), shards);
                }
                first = Double.isNaN(first) ? last : first;
                tokens += batchTokens;
                long step = opt.step();
                if (writes) {
                    run.metrics(Map.of("step", step, "loss", last, "lr", opt.currentLr(), "grad_norm",
                            opt.lastGradNorm()));
                }
                listener.onStep(step, total, last, opt.currentLr(), tokens / ((System.nanoTime() - t0) / 1e9));
                if (!writes) {
                    continue;
                }
                if (c.valEvery() > 0 && (step % c.valEvery() == 0 || step == total)) {
                    val = Validation.loss(m, lm, null, validation, null, Losses.Reduction.TOKEN_MEAN, c.batchSize(),
                            padId);
                    if (!Double.isNaN(val)) {
                        run.metrics(Map.of("step", step, "val_loss", val));
                        listener.onMessage("step " + step + ": validation loss " + val);
                    }
                }
                if (step % c.checkpointEvery() == 0 || step == total) {
                    opt.save(run, sampler, Optimization.newState().put("first_loss", first));
                }
            }
            if (!writes) {
                listener.onEnd(opt.step());
                return new Result(opt.step(), first, last, Double.NaN, null);
            }
            Path out = run.dir().resolve(MODEL_DIR);
            ModelFolder.write(out, model, tokenizerDir, Map.of("t2l_run", run.dir().getFileName().toString(),
                    "t2l_steps", Long.toString(opt.step())), true);
            run.writeLossCurve("base model");
            listener.onMessage("wrote " + out);
            listener.onEnd(opt.step());
            return new Result(opt.step(), first, last, val, out);
        } finally {
            // back to an inference model: no autograd bookkeeping on its weights from here on
            model.parameters().values().forEach(w -> w.setRequiresGradient(false));
        }
    }

    /**
     * The validation rows of all tasks as one task, sorted by length: the token-mean loss over them is the same
     * quantity as task by task (no descriptions, no adapter), but each batch pads only to rows of its own length.
     */
    static List<PreparedTask> validationByLength(List<PreparedTask> tasks) {
        List<TokenizedExample> rows = new ArrayList<>();
        tasks.forEach(t -> rows.addAll(t.validation()));
        rows.sort(Comparator.comparingInt(TokenizedExample::length));
        return List.of(new PreparedTask("validation rows of " + tasks.size() + " tasks", List.of(), List.of(), rows, 0));
    }
}
