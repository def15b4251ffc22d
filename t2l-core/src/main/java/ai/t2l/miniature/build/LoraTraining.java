package ai.t2l.miniature.build;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.t2l.io.FloatTensor;
import ai.t2l.lora.LoraBatch;
import ai.t2l.lora.LoraConfig;
import ai.t2l.lora.LoraWeights;
import ai.t2l.model.ModelConfig;
import ai.t2l.model.Transformer;
import ai.t2l.train.Rng;
import ai.t2l.train.data.Batch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plain LoRA training on the frozen base (spec §5.1, §9): an oracle LoRA per task, or one multi-task LoRA for all.
 * Oracle LoRAs of several tasks train side by side in one batch, each row through its own task's adapter (per-row
 * LoRA), which is the same as training them one after another but far cheaper on a CPU: no gradient couples them,
 * as the loss is a sum over rows, AdamW is per element and no norm clipping is applied across tasks.
 * All adapters start from the same PEFT initialisation (A Kaiming-uniform from one seed, B zero), as the
 * reference's oracle runs all start from seed 42.
 */
public final class LoraTraining {
    private LoraTraining() {}

    /** Oracle LoRAs: one per task, {@code s.batch()} rows of each task per step, tasks trained in groups. */
    public static List<LoraWeights> perTask(Transformer model, List<MiniData.TaskExamples> tasks, MiniSettings.Stage s,
            LoraConfig cfg, int groupSize, int padId, long seed, Progress progress) {
        List<LoraWeights> out = new ArrayList<>();
        int groups = (tasks.size() + groupSize - 1) / groupSize;
        progress.start("oracle LoRAs (" + tasks.size() + " tasks)", (long) groups * s.steps());
        for (int g = 0; g < groups; g++) {
            List<MiniData.TaskExamples> group = new ArrayList<>();
            for (int t = g * groupSize; t < Math.min(tasks.size(), (g + 1) * groupSize); t++) {
                MiniData.TaskExamples te = tasks.get(t);
                group.add(new MiniData.TaskExamples(te.name(), group.size(), te.train(), te.val()));
            }
            int[] all = new int[group.size()];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            Rng rng = new Rng(seed + g);
            final int done = g * s.steps();
            out.addAll(train(model, group.size(), s, cfg, Double.POSITIVE_INFINITY, seed, rng,
                    r -> MiniData.sample(group, all, s.batch(), r, padId),
                    (k, loss) -> progress.step(done + k, String.format("group %d/%d loss %.3f", done / s.steps() + 1,
                            groups, loss))));
        }
        progress.end(out.size() + " adapters");
        return out;
    }

    /** The multi-task LoRA: one adapter, each step {@code s.batch()} rows from uniformly drawn training tasks. */
    public static LoraWeights multiTask(Transformer model, List<MiniData.TaskExamples> tasks, MiniSettings.Stage s,
            LoraConfig cfg, int padId, long seed, Progress progress) {
        progress.start("multi-task LoRA", s.steps());
        Rng rng = new Rng(seed);
        List<LoraWeights> w = train(model, 1, s, cfg, 1.0, seed, rng, r -> {
            int[] rows = new int[s.batch()];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = r.nextInt(tasks.size());
            }
            Batch b = MiniData.sample(tasks, rows, 1, r, padId);
            return new Batch(b.ids(), b.labels(), new int[b.size()], b.descriptions()); // every row: adapter 0
        }, (k, loss) -> progress.step(k, String.format("loss %.3f", loss)));
        progress.end("done");
        return w.get(0);
    }

    interface BatchSource {
        Batch next(Rng rng);
    }

    interface StepListener {
        void step(long k, double loss);
    }

    /** Trains {@code n} adapters; a batch row's task index says which adapter it goes through. */
    private static List<LoraWeights> train(Transformer model, int n, MiniSettings.Stage s, LoraConfig cfg,
            double maxGradNorm, long initSeed, Rng rng, BatchSource batches, StepListener listener) {
        ModelConfig mc = model.config();
        try (NDManager m = model.manager().newSubManager()) {
            Map<LoraWeights.Site, NDArray[]> params = init(m, mc, cfg, n, initSeed);
            List<NDArray> flat = new ArrayList<>();
            params.values().forEach(ab -> flat.add(ab[0]));
            params.values().forEach(ab -> flat.add(ab[1]));
            try (MiniOptimizer opt = new MiniOptimizer(flat, s, maxGradNorm, m)) {
                for (int step = 0; step < s.steps(); step++) {
                    Batch b = batches.next(rng);
                    double loss = opt.step(m, rng, (scope, k) -> {
                        NDArray rows = MiniData.rowTasks(scope, b);
                        Map<LoraWeights.Site, LoraBatch.Slot> slots = new LinkedHashMap<>();
                        NDArray scaling = scope.create((float) cfg.scaling());
                        params.forEach((site, ab) -> slots.put(site, new LoraBatch.Slot(
                                ab[0].get(new NDIndex("{}", rows)), ab[1].get(new NDIndex("{}", rows)), scaling)));
                        LoraBatch lora = LoraBatch.ofArrays(slots).withDropout((float) cfg.dropout());
                        return BaseTraining.lmLoss(model, scope, b, lora);
                    });
                    listener.step(step + 1, loss);
                }
            }
            List<LoraWeights> out = new ArrayList<>();
            for (int t = 0; t < n; t++) {
                Map<LoraWeights.Site, LoraWeights.Pair> pairs = new LinkedHashMap<>();
                for (Map.Entry<LoraWeights.Site, NDArray[]> e : params.entrySet()) {
                    pairs.put(e.getKey(), new LoraWeights.Pair(slice(e.getValue()[0], t), slice(e.getValue()[1], t)));
                }
                out.add(new LoraWeights(cfg, pairs));
            }
            return out;
        }
    }

    /** A (n, r, in) all from one PEFT-style init (same for every adapter), B (n, out, r) zeros. */
    private static Map<LoraWeights.Site, NDArray[]> init(NDManager m, ModelConfig mc, LoraConfig cfg, int n,
            long seed) {
        Rng rng = new Rng(seed);
        Map<LoraWeights.Site, NDArray[]> params = new LinkedHashMap<>();
        for (int layer = 0; layer < mc.numLayers(); layer++) {
            for (String module : cfg.targetModules()) {
                int in = mc.inFeatures(module);
                int out = mc.outFeatures(module);
                float bound = (float) (1 / Math.sqrt(in)); // kaiming_uniform_(a=√5) on (r, in)
                float[] a0 = new float[cfg.r() * in];
                for (int i = 0; i < a0.length; i++) {
                    a0[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
                }
                float[] a = new float[n * a0.length];
                for (int t = 0; t < n; t++) {
                    System.arraycopy(a0, 0, a, t * a0.length, a0.length);
                }
                params.put(new LoraWeights.Site(layer, module), new NDArray[] {
                    m.create(a, new Shape(n, cfg.r(), in)), m.zeros(new Shape(n, out, cfg.r()))});
            }
        }
        return params;
    }

    private static FloatTensor slice(NDArray stacked, int t) {
        try (NDArray one = stacked.get(t)) {
            return new FloatTensor(one.toFloatArray(), one.getShape().getShape());
        }
    }
}
