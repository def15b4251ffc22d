package ai.t2l.miniature.build;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.t2l.hypernet.HyperConfig;
import ai.t2l.hypernet.HyperInit;
import ai.t2l.hypernet.HyperModulator;
import ai.t2l.io.FloatTensor;
import ai.t2l.lora.LoraBatch;
import ai.t2l.lora.LoraWeights;
import ai.t2l.model.ForwardInput;
import ai.t2l.model.Transformer;
import ai.t2l.train.GeneratedLora;
import ai.t2l.train.Losses;
import ai.t2l.train.Rng;
import ai.t2l.train.data.Batch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains the T2L hypernetwork (T2L-SPEC §5, §6) on the miniature: by SFT through the frozen base model (every row
 * gets the LoRA generated from one of its task's training-description embeddings) or by reconstruction of the
 * oracle library (z-scored factorised targets, L1).
 */
public final class HyperTraining {
    /** Coefficient of the L2 penalty on generated A and B (spec §6.2). */
    static final double L2_GENERATED = 1e-3;

    private HyperTraining() {}

    /**
     * SFT (spec §6.3): each step {@code tasksPerStep} distinct tasks × {@code batch / tasksPerStep} examples, each
     * row with a uniformly drawn description embedding of its task; per-sample token-mean cross-entropy plus the L2
     * penalty; only the hypernetwork learns.
     *
     * @param embeddings per task (same order as {@code tasks}), its training-description embeddings
     */
    public static List<Double> sft(Transformer model, HyperModulator hm, List<MiniData.TaskExamples> tasks,
            List<float[][]> embeddings, MiniSettings.Stage s, int tasksPerStep, int padId, Rng rng,
            Progress progress) {
        int perTask = Math.max(1, s.batch() / tasksPerStep);
        List<Double> losses = new ArrayList<>();
        hm.setTraining(true);
        try (NDManager m = model.manager().newSubManager();
                MiniOptimizer opt = new MiniOptimizer(new ArrayList<>(hm.parameters().values()), s, m)) {
            for (int step = 0; step < s.steps(); step++) {
                Batch b = MiniData.sample(tasks, MiniData.pickTasks(tasks.size(), tasksPerStep, rng), perTask, rng,
                        padId);
                float[][] rows = new float[b.size()][];
                for (int i = 0; i < rows.length; i++) {
                    float[][] e = embeddings.get(b.tasks()[i]);
                    rows[i] = e[rng.nextInt(e.length)];
                }
                double loss = opt.step(m, rng, (scope, k) -> {
                    Map<LoraWeights.Site, GeneratedLora.Pair> pairs = generate(hm, scope, rows);
                    NDArray scaling = scope.create((float) hm.config().lora().scaling());
                    Map<LoraWeights.Site, LoraBatch.Slot> slots = new LinkedHashMap<>();
                    pairs.forEach((site, p) -> slots.put(site, new LoraBatch.Slot(p.a(), p.b(), scaling)));
                    LoraBatch lora = LoraBatch.ofArrays(slots).withDropout((float) hm.config().lora().dropout());
                    NDArray logits = model.forward(scope, ForwardInput.of(b.ids()).withLora(lora)).logits();
                    NDArray ce = Losses.crossEntropy(logits, b.labelsArray(scope), 0.0, Losses.Reduction.SAMPLE_MEAN);
                    return ce.add(Losses.l2Generated(pairs).toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                            .mul((float) L2_GENERATED));
                });
                losses.add(loss);
                progress.step(step + 1, String.format("loss %.3f", loss));
            }
        } finally {
            hm.setTraining(false);
            hm.parameters().values().forEach(p -> p.setRequiresGradient(false));
        }
        return losses;
    }

    /**
     * Per-row adapters for a batch (spec §2.7 SFT layout: row = layer * batch + j): A (batch, r, in) and
     * B (batch, out, r) per (layer, module), carrying autograd into the hypernetwork.
     */
    static Map<LoraWeights.Site, GeneratedLora.Pair> generate(HyperModulator hm, NDManager scope, float[][] rows) {
        int bs = rows.length;
        int dim = rows[0].length;
        int layers = hm.config().numLayers();
        float[] flat = new float[bs * dim];
        for (int i = 0; i < bs; i++) {
            System.arraycopy(rows[i], 0, flat, i * dim, dim);
        }
        NDArray emb = scope.create(flat, new Shape(bs, dim));
        NDArray encoded = hm.encodeTask(emb).tile(new long[] {layers, 1}); // (layers*bs, E): e0..e_bs-1, e0..
        long[] idx = new long[layers * bs];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i / bs; // 0,0,..,1,1,..
        }
        NDArray layerIdx = scope.create(idx, new Shape(idx.length));
        Map<LoraWeights.Site, GeneratedLora.Pair> out = new LinkedHashMap<>();
        for (String module : hm.config().moduleOrder()) {
            NDList ab = hm.deltaWeights(layerIdx, module, encoded); // A (L*bs, r, in), B (L*bs, out, r)
            for (int l = 0; l < layers; l++) {
                NDIndex rowsOfLayer = new NDIndex("{}:{}", l * bs, (l + 1) * bs);
                out.put(new LoraWeights.Site(l, module),
                        new GeneratedLora.Pair(ab.get(0).get(rowsOfLayer), ab.get(1).get(rowsOfLayer)));
            }
        }
        return out;
    }

    /**
     * The initial state of a reconstruction hypernetwork whose z-score buffers hold the element-wise mean and
     * unbiased std of the oracle library (spec §2.9, §5.2).
     */
    public static Map<String, FloatTensor> reconInitialState(HyperConfig c, List<LoraWeights> library, long seed) {
        Map<String, FloatTensor> state = new LinkedHashMap<>(HyperInit.initialState(c, seed));
        for (String module : c.moduleOrder()) {
            for (String ab : List.of("A", "B")) {
                float[][] all = new float[library.size()][];
                for (int t = 0; t < library.size(); t++) {
                    all[t] = stacked(library.get(t), module, ab, c.numLayers());
                }
                int n = all[0].length;
                float[] mean = new float[n];
                float[] std = new float[n];
                for (int i = 0; i < n; i++) {
                    double s = 0;
                    for (float[] a : all) {
                        s += a[i];
                    }
                    double mu = s / all.length;
                    double v = 0;
                    for (float[] a : all) {
                        v += (a[i] - mu) * (a[i] - mu);
                    }
                    mean[i] = (float) mu;
                    std[i] = (float) Math.sqrt(v / Math.max(1, all.length - 1));
                }
                long[] shape = state.get("mean_recon_target." + ab + "." + module).shape();
                state.put("mean_recon_target." + ab + "." + module, new FloatTensor(mean, shape));
                state.put("std_recon_target." + ab + "." + module, new FloatTensor(std, shape));
            }
        }
        return state;
    }

    /** One module's A (or B) of every layer, concatenated: the (L, r, in) / (L, out, r) buffer layout. */
    static float[] stacked(LoraWeights w, String module, String ab, int layers) {
        List<float[]> parts = new ArrayList<>();
        int n = 0;
        for (int l = 0; l < layers; l++) {
            LoraWeights.Pair p = w.get(l, module);
            float[] d = ab.equals("A") ? p.a().data() : p.b().data();
            parts.add(d);
            n += d.length;
        }
        float[] out = new float[n];
        int o = 0;
        for (float[] d : parts) {
            System.arraycopy(d, 0, out, o, d.length);
            o += d.length;
        }
        return out;
    }

    /**
     * Reconstruction (spec §5.2–§5.3, factorised with z-scored targets): each step {@code s.batch()} tasks, one
     * random description embedding each; loss = mean over modules of ½·L1(Â, zA) + ½·L1(B̂, zB).
     */
    public static List<Double> recon(HyperModulator hm, List<LoraWeights> library, List<float[][]> embeddings,
            MiniSettings.Stage s, Rng rng, NDManager parent, Progress progress) {
        HyperConfig c = hm.config();
        int layers = c.numLayers();
        List<Double> losses = new ArrayList<>();
        hm.setTraining(true);
        try (NDManager m = parent.newSubManager();
                MiniOptimizer opt = new MiniOptimizer(new ArrayList<>(hm.parameters().values()), s, m)) {
            // z-scored targets per "A.module"/"B.module" and task, in the (L, r, in) / (L, out, r) layout
            Map<String, float[][]> z = new LinkedHashMap<>();
            for (String module : c.moduleOrder()) {
                for (String ab : List.of("A", "B")) {
                    float[] mean = hm.buffers().get("mean_recon_target." + ab + "." + module).toFloatArray();
                    float[] std = hm.buffers().get("std_recon_target." + ab + "." + module).toFloatArray();
                    float[][] perTask = new float[library.size()][];
                    for (int t = 0; t < library.size(); t++) {
                        float[] raw = stacked(library.get(t), module, ab, layers);
                        for (int i = 0; i < raw.length; i++) {
                            raw[i] = (float) ((raw[i] - mean[i]) / (std[i] + 1e-10));
                        }
                        perTask[t] = raw;
                    }
                    z.put(ab + "." + module, perTask);
                }
            }
            for (int step = 0; step < s.steps(); step++) {
                int[] which = MiniData.pickTasks(library.size(), s.batch(), rng);
                float[][] rows = new float[which.length][];
                for (int i = 0; i < which.length; i++) {
                    float[][] e = embeddings.get(which[i]);
                    rows[i] = e[rng.nextInt(e.length)];
                }
                double loss = opt.step(m, rng, (scope, k) -> {
                    Map<LoraWeights.Site, GeneratedLora.Pair> pairs = generate(hm, scope, rows);
                    NDArray total = null;
                    for (String module : c.moduleOrder()) {
                        NDList pa = new NDList();
                        NDList pb = new NDList();
                        for (int l = 0; l < layers; l++) {
                            GeneratedLora.Pair p = pairs.get(new LoraWeights.Site(l, module));
                            pa.add(p.a());
                            pb.add(p.b());
                        }
                        NDArray predA = concat(pa); // (L*n, r, in), row l*n + j
                        NDArray predB = concat(pb);
                        NDArray la = Losses.l1(predA, targets(scope, z.get("A." + module), which, predA.getShape()));
                        NDArray lb = Losses.l1(predB, targets(scope, z.get("B." + module), which, predB.getShape()));
                        NDArray term = la.add(lb).mul(0.5f);
                        total = total == null ? term : total.add(term);
                    }
                    return total.div(c.moduleOrder().size());
                });
                losses.add(loss);
                progress.step(step + 1, String.format("L1 %.3f", loss));
            }
        } finally {
            hm.setTraining(false);
            hm.parameters().values().forEach(p -> p.setRequiresGradient(false));
        }
        return losses;
    }

    /** NDArrays.concat of a single array returns a detached copy (DJL duplicate()), which would cut autograd. */
    private static NDArray concat(NDList parts) {
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts);
    }

    /** Rows l*n + j hold layer l of task which[j]'s z-scored target. */
    private static NDArray targets(NDManager scope, float[][] perTask, int[] which, Shape shape) {
        int n = which.length;
        int per = perTask[0].length / (int) (shape.get(0) / n); // values of one layer
        float[] out = new float[Math.toIntExact(shape.size())];
        for (int l = 0; l < shape.get(0) / n; l++) {
            for (int j = 0; j < n; j++) {
                System.arraycopy(perTask[which[j]], l * per, out, (l * n + j) * per, per);
            }
        }
        return scope.create(out, shape);
    }
}
