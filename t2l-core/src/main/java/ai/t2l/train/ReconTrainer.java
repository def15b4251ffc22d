package ai.t2l.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.t2l.hypernet.FeatureMajorLora;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.LoraWeights.Site;
import ai.t2l.model.Scalars;
import ai.t2l.train.run.Checkpoint;
import ai.t2l.train.run.RunFolder;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reconstruction training (spec §5.2–§5.3): the source learns to emit each library LoRA from its task's description
 * embeddings. Each epoch is a permutation of the tasks in chunks of n (the last, smaller chunk kept); every task
 * of a chunk contributes {@code embsPerTask} random description embeddings. Loss, averaged over sites:
 * factorized ½·L1(Â, A) + ½·L1(B̂, B) with A, B z-scored by the library's element-wise mean and unbiased std when
 * {@code zScore}; non-factorized L1(B̂Â, deltaWScaling·BA). A {@link HyperLoraSource} gets the library statistics
 * in its z-score buffers, so its generated LoRAs come back at raw scale (spec §2.9).
 */
public final class ReconTrainer {
    public record Config(OptimConfig optim, int tasksPerBatch, int embsPerTask, int epochs, long maxSteps,
            boolean factorized, boolean zScore, double deltaWScaling, int checkpointEvery, long seed) {}

    /** Element-wise library statistics per site: {mean A, std A, mean B, std B} (std unbiased, N−1). */
    public record Result(long steps, double firstLoss, double lastLoss, Map<Site, FloatTensor[]> stats) {}

    private ReconTrainer() {}

    public static Result train(LoraSource source, List<LoraWeights> library, List<float[][]> embeddings, Config c,
            RunFolder run, TrainListener listener) {
        if (c.factorized() == false && c.zScore()) {
            throw new T2lException("recon config: factorized=false with z_score=true cannot generate LoRAs"
                    + " afterwards (spec §2.9 QUIRK); set one of them differently");
        }
        for (int t = 0; t < library.size(); t++) {
            if (embeddings.get(t) == null || embeddings.get(t).length == 0) {
                throw new T2lException("recon: library task " + t + " has no description embeddings");
            }
        }
        List<String> labels = new java.util.ArrayList<>();
        for (int t = 0; t < library.size(); t++) {
            labels.add("number " + t);
        }
        requireOneShape(library, labels);
        if (source instanceof HyperLoraSource h) {
            ReconTargets.check(h.hypernet().config(), c);
        }
        Map<Site, FloatTensor[]> stats = c.zScore() ? stats(library) : null;
        if (stats != null && source instanceof HyperLoraSource h) {
            ReconTargets.install(h.hypernet(), stats); // before training: checkpoints and the result carry them
        }
        Rng rng = new Rng(c.seed());
        Rng sampling = rng.split();
        int n = library.size();
        int perEpoch = (n + c.tasksPerBatch() - 1) / c.tasksPerBatch();
        long total = c.maxSteps() > 0 ? c.maxSteps() : (long) c.epochs() * perEpoch;
        try (NDManager m = NDManager.newBaseManager();
                Optimization opt = new Optimization(source.params(), c.optim(), total, rng)) {
            int[] order = new int[0];
            int position = 0;
            var resumed = run.latestCheckpoint();
            double first = Double.NaN;
            if (resumed.isPresent()) {
                Checkpoint ck = resumed.get();
                opt.restore(ck, run.dir().toString());
                var s = SamplerStates.fromJson(ck.state().path("sampler"));
                sampling.restore(s.rng());
                order = s.order();
                position = s.position();
                first = ck.state().path("first_loss").asDouble(Double.NaN);
                run.truncateMetricsAfter(ck.step());
            }
            listener.onStart("train recon", opt.step(), total);
            double last = Double.NaN;
            while (opt.step() < total) {
                if (position >= order.length) {
                    order = sampling.permutation(n);
                    position = 0;
                }
                int end = Math.min(order.length, position + c.tasksPerBatch());
                int rows = (end - position) * c.embsPerTask();
                int[] taskOf = new int[rows];
                int[] descOf = new int[rows];
                for (int i = 0, k = 0; i < end - position; i++) {
                    int t = order[position + i];
                    int[] perm = sampling.permutation(embeddings.get(t).length); // distinct embeddings, torch.randperm
                    for (int e = 0; e < c.embsPerTask(); e++, k++) {
                        taskOf[k] = t;
                        descOf[k] = perm[e % perm.length];
                    }
                }
                position = end;
                last = opt.run(m, scope -> loss(scope, source, library, embeddings, stats, c, taskOf, descOf));
                first = Double.isNaN(first) ? last : first;
                long step = opt.step();
                run.metrics(Map.of("step", step, "loss", last, "lr", opt.currentLr(), "grad_norm", opt.lastGradNorm()));
                listener.onStep(step, total, last, opt.currentLr(), 0);
                if (step % c.checkpointEvery() == 0 || step == total) {
                    ObjectNode st = Optimization.newState();
                    st.set("sampler", SamplerStates.toJson(new ai.t2l.train.data.Sampler.State(sampling.state(), 0,
                            order, position)));
                    st.put("first_loss", first);
                    run.saveCheckpoint(opt.checkpoint(st));
                }
            }
            run.writeLossCurve("reconstruction");
            listener.onEnd(opt.step());
            return new Result(opt.step(), first, last, stats);
        }
    }

    /** One step's loss (public for `t2l bench train`); rows taskOf[i] use description embedding descOf[i]. */
    public static NDArray loss(NDManager scope, LoraSource source, List<LoraWeights> library, List<float[][]> embeddings,
            Map<Site, FloatTensor[]> stats, Config c, int[] taskOf, int[] descOf) {
        int rows = taskOf.length;
        int dim = embeddings.get(taskOf[0])[0].length;
        float[] e = new float[rows * dim];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(embeddings.get(taskOf[i])[descOf[i]], 0, e, i * dim, dim);
        }
        DataType type = source.params().get(source.params().names().get(0)).getDataType();
        NDArray emb = scope.create(e, new Shape(rows, dim)).toType(type, false);
        if (c.factorized()) {
            // one L1 per module over all its layers: every site of a module has the same size, so the mean over
            // sites of per-site means is the mean over the module (the reference's value; far fewer engine ops).
            NDArray featureMajor = featureMajorLoss(scope, source, emb, library, stats, taskOf);
            if (featureMajor != null) {
                return featureMajor;
            }
            // B in the head's (r, out) layout: an element-wise loss is the same, and it is read without a copy.
            Map<String, GeneratedLora.Pair> pred = source.generateRankMajorByModule(emb, rows, true);
            NDArray sum = null;
            for (Map.Entry<String, GeneratedLora.Pair> en : pred.entrySet()) {
                int layers = (int) (en.getValue().a().getShape().get(0) / rows);
                NDArray a = moduleL1(scope, en.getValue().a(), library, taskOf, en.getKey(), layers, true, stats);
                NDArray b = moduleL1(scope, en.getValue().b(), library, taskOf, en.getKey(), layers, false, stats);
                NDArray term = Scalars.mul(a, 0.5).add(Scalars.mul(b, 0.5));
                sum = sum == null ? term : sum.add(term);
            }
            return Scalars.div(sum, pred.size());
        }
        Map<Site, GeneratedLora.Pair> pred = source.generate(emb, rows, true);
        NDArray sum = null;
        for (Map.Entry<Site, GeneratedLora.Pair> en : pred.entrySet()) {
            Site site = en.getKey();
            NDArray a = target(scope, library, taskOf, site, true, stats, type);
            NDArray b = target(scope, library, taskOf, site, false, stats, type);
            NDArray term;
            if (c.factorized()) {
                term = Scalars.mul(Losses.l1(en.getValue().a(), a), 0.5).add(Scalars.mul(Losses.l1(en.getValue().b(), b), 0.5));
            } else {
                NDArray dw = en.getValue().b().batchMatMul(en.getValue().a()); // (rows, out, in)
                term = Losses.l1(dw, b.batchMatMul(a).mul(c.deltaWScaling()));
            }
            sum = sum == null ? term : sum.add(term);
        }
        return Scalars.div(sum, pred.size());
    }

    /**
     * The factorized loss, mean over modules of ½·L1(A) + ½·L1(B), on the head's own feature-major output read in
     * place ({@link JavaL1#featureMajorLoss}); null where the source has no such output or Java cannot carry the
     * gradient (float64 parameters: gradient checks), and the caller takes the rank-major path.
     */
    private static NDArray featureMajorLoss(NDManager scope, LoraSource source, NDArray emb, List<LoraWeights> library,
            Map<Site, FloatTensor[]> stats, int[] taskOf) {
        if (!CarriedGradient.fits(emb.getDataType(), 1)) {
            return null;
        }
        Map<String, FeatureMajorLora> pred = source.generateFeatureMajorByModule(emb, taskOf.length, true);
        if (pred == null) {
            return null;
        }
        double weight = 0.5 / pred.size();
        List<JavaL1.Term> terms = new ArrayList<>();
        for (Map.Entry<String, FeatureMajorLora> en : pred.entrySet()) {
            for (FeatureMajorLora.Half h : new FeatureMajorLora.Half[] {en.getValue().a(), en.getValue().b()}) {
                if (!CarriedGradient.fits(h.base())) {
                    return null;
                }
                int layers = Math.toIntExact(h.rows() / taskOf.length);
                boolean isA = h == en.getValue().a();
                JavaL1.Target target = moduleTarget(library, taskOf, en.getKey(), layers, isA, stats);
                LoraWeights.Pair first = library.get(taskOf[0]).pairs().get(new Site(0, en.getKey()));
                requireSize(en.getKey(), isA, h.elements(), first);
                // B is stored (out, r) and read as (r, out): its values for one column sit a rank apart
                terms.add(new JavaL1.Term(h, target, weight, isA ? 0 : first.out()));
            }
        }
        return JavaL1.featureMajorLoss(scope, terms);
    }

    /** The hypernetwork makes as many values of a module's A or B per layer as the library's adapters hold. */
    private static void requireSize(String module, boolean isA, long generated, LoraWeights.Pair library) {
        FloatTensor held = isA ? library.a() : library.b();
        if (generated != held.data().length) {
            throw new T2lException("recon: the hypernetwork makes " + generated + " values of " + module
                    + (isA ? " A" : " B") + " per layer, but the library's adapters hold " + held.data().length + " "
                    + java.util.Arrays.toString(held.shape()) + "; were they trained on another base model?");
        }
    }

    /**
     * L1 between one module's generated A (layers·rows, r, in) or B (layers·rows, r, out) and the library's, the
     * target made in Java ({@link JavaL1}); float64 parameters (gradient checks) and predictions over 2 GB take the
     * engine's l1 instead.
     */
    private static NDArray moduleL1(NDManager scope, NDArray prediction, List<LoraWeights> library, int[] taskOf,
            String module, int layers, boolean isA, Map<Site, FloatTensor[]> stats) {
        JavaL1.Target target = moduleTarget(library, taskOf, module, layers, isA, stats);
        int rows = layers * taskOf.length;
        requireSize(module, isA, prediction.getShape().size() / rows, library.get(taskOf[0]).pairs().get(
                new Site(0, module)));
        if (CarriedGradient.fits(prediction)) {
            return JavaL1.loss(scope, prediction, rows, target);
        }
        NDArray t = JavaL1.materialize(scope, prediction.getShape(), rows, target);
        return Losses.l1(prediction, t.toType(prediction.getDataType(), false));
    }

    /**
     * The library's A or B of one module for every layer and row, layer-major like
     * {@link LoraSource#generateRankMajorByModule}: A (r, in) as stored, B (r, out), i.e. the stored (out, r)
     * transposed; z-scored if asked, with the engine's float32 operations ((x − mean) / (std + 1e-10)).
     */
    private static JavaL1.Target moduleTarget(List<LoraWeights> library, int[] taskOf, String module, int layers,
            boolean isA, Map<Site, FloatTensor[]> stats) {
        int rows = taskOf.length;
        // each row's arrays looked up once per step, not once per chunk the loss asks for
        float[][] x = new float[layers * rows][];
        float[][] mean = stats == null ? null : new float[x.length][];
        float[][] std = stats == null ? null : new float[x.length][];
        long[] shape = null;
        for (int row = 0; row < x.length; row++) {
            Site site = new Site(row / rows, module);
            LoraWeights.Pair p = library.get(taskOf[row % rows]).pairs().get(site);
            if (p == null) {
                throw new T2lException("recon: library adapter " + taskOf[row % rows] + " has no " + site);
            }
            shape = (isA ? p.a() : p.b()).shape();
            x[row] = (isA ? p.a() : p.b()).data();
            if (stats != null) {
                mean[row] = stats.get(site)[isA ? 0 : 2].data();
                std[row] = stats.get(site)[isA ? 1 : 3].data();
            }
        }
        if (isA) { // element e of the row is A's own index
            return (row, from, n, z) -> {
                float[] xr = x[row];
                if (mean == null) {
                    System.arraycopy(xr, from, z, 0, n);
                    return;
                }
                float[] m = mean[row];
                float[] s = std[row];
                for (int i = 0; i < n; i++) {
                    z[i] = (xr[from + i] - m[from + i]) / (s[from + i] + 1e-10f);
                }
            };
        }
        int out = (int) shape[0]; // B stored (out, r): element e = j·out + o of the row is at o·r + j
        int r = (int) shape[1];
        return (row, from, n, z) -> {
            float[] xr = x[row];
            float[] m = mean == null ? null : mean[row];
            float[] s = std == null ? null : std[row];
            int j = from / out;
            int o = from % out;
            for (int i = 0; i < n; i++) {
                int src = o * r + j;
                z[i] = m == null ? xr[src] : (xr[src] - m[src]) / (s[src] + 1e-10f);
                if (++o == out) {
                    o = 0;
                    j++;
                }
            }
        };
    }

    /** The library's A (rows, r, in) or B (rows, out, r) of each row's task at one site, z-scored if asked. */
    private static NDArray target(NDManager m, List<LoraWeights> library, int[] taskOf, Site site, boolean isA,
            Map<Site, FloatTensor[]> stats, DataType type) {
        NDList parts = new NDList();
        for (int t : taskOf) {
            LoraWeights.Pair p = library.get(t).pairs().get(site);
            if (p == null) {
                throw new T2lException("recon: library adapter " + t + " has no " + site);
            }
            FloatTensor x = isA ? p.a() : p.b();
            parts.add(m.create(x.data(), new Shape(x.shape())));
        }
        NDArray out = NDArrays.stack(parts);
        if (stats != null) {
            FloatTensor mean = stats.get(site)[isA ? 0 : 2];
            FloatTensor std = stats.get(site)[isA ? 1 : 3];
            out = out.sub(m.create(mean.data(), new Shape(mean.shape())))
                    .div(m.create(std.data(), new Shape(std.shape())).add(1e-10f));
        }
        return out.toType(type, false);
    }

    /**
     * Every library adapter has the first one's sites, with A and B of the same shapes: the statistics and the
     * targets are element-wise over the library, so an adapter of another rank or width would otherwise fail deep
     * inside a step with a bare index error. {@code labels} name the adapters in messages (e.g. their folders).
     */
    public static void requireOneShape(List<LoraWeights> library, List<String> labels) {
        if (library.isEmpty()) {
            return;
        }
        Map<Site, LoraWeights.Pair> first = library.get(0).pairs();
        for (int t = 1; t < library.size(); t++) {
            for (Map.Entry<Site, LoraWeights.Pair> e : first.entrySet()) {
                LoraWeights.Pair p = library.get(t).pairs().get(e.getKey());
                if (p == null) {
                    throw new T2lException("recon: library adapter " + labels.get(t) + " has no " + e.getKey()
                            + ", which library adapter " + labels.get(0) + " has");
                }
                requireShape(labels, t, e.getKey() + " A", e.getValue().a(), p.a());
                requireShape(labels, t, e.getKey() + " B", e.getValue().b(), p.b());
            }
        }
    }

    private static void requireShape(List<String> labels, int t, String what, FloatTensor expected, FloatTensor found) {
        if (!java.util.Arrays.equals(expected.shape(), found.shape())) {
            throw new T2lException("recon: library adapter " + labels.get(t) + " has " + what + " of shape "
                    + java.util.Arrays.toString(found.shape()) + ", library adapter " + labels.get(0) + " has "
                    + java.util.Arrays.toString(expected.shape())
                    + "; every library adapter needs the same rank and target modules");
        }
    }

    /** Element-wise mean and unbiased std over the library (spec §2.9, torch.std default). */
    public static Map<Site, FloatTensor[]> stats(List<LoraWeights> library) {
        if (library.size() < 2) {
            throw new T2lException("z-scoring needs at least 2 library adapters (unbiased std), found " + library.size());
        }
        Map<Site, FloatTensor[]> out = new LinkedHashMap<>();
        for (Site site : library.get(0).pairs().keySet()) {
            FloatTensor[] s = new FloatTensor[4];
            for (int ab = 0; ab < 2; ab++) {
                FloatTensor first = ab == 0 ? library.get(0).pairs().get(site).a() : library.get(0).pairs().get(site).b();
                int len = first.data().length;
                double[] sum = new double[len];
                double[] sq = new double[len];
                for (LoraWeights w : library) {
                    float[] v = (ab == 0 ? w.pairs().get(site).a() : w.pairs().get(site).b()).data();
                    for (int i = 0; i < len; i++) {
                        sum[i] += v[i];
                    }
                }
                float[] mean = new float[len];
                for (int i = 0; i < len; i++) {
                    mean[i] = (float) (sum[i] / library.size());
                }
                for (LoraWeights w : library) {
                    float[] v = (ab == 0 ? w.pairs().get(site).a() : w.pairs().get(site).b()).data();
                    for (int i = 0; i < len; i++) {
                        double d = v[i] - mean[i];
                        sq[i] += d * d;
                    }
                }
                float[] std = new float[len];
                for (int i = 0; i < len; i++) {
                    std[i] = (float) Math.sqrt(sq[i] / (library.size() - 1));
                }
                s[ab * 2] = new FloatTensor(mean, first.shape());
                s[ab * 2 + 1] = new FloatTensor(std, first.shape());
            }
            out.put(site, s);
        }
        return out;
    }
}
