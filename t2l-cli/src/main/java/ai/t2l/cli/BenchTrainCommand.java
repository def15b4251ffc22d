package ai.t2l.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.t2l.hypernet.HyperConfig;
import ai.t2l.hypernet.HyperModulator;
import ai.t2l.hypernet.TrainingTask;
import ai.t2l.hypernet.Variant;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.Json;
import ai.t2l.lora.LoraConfig;
import ai.t2l.lora.LoraWeights;
import ai.t2l.model.ModelConfig;
import ai.t2l.model.RandomWeights;
import ai.t2l.model.Transformer;
import ai.t2l.train.HyperLoraSource;
import ai.t2l.train.LmObjective;
import ai.t2l.train.Losses;
import ai.t2l.train.OptimConfig;
import ai.t2l.train.Optimization;
import ai.t2l.train.ReconTrainer;
import ai.t2l.train.Rng;
import ai.t2l.train.StepTimes;
import ai.t2l.train.TransformerLm;
import ai.t2l.train.data.Batch;
import ai.t2l.train.data.TokenizedExample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.DoubleSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code t2l bench train}: BENCHMARKS-WORKLOADS.md §3 with random weights. One SFT step (a Mistral-shaped base,
 * frozen, + an L hypernetwork; 8 × 256 tokens, the first 128 masked; the trainers' own objective and optimiser
 * step) and one reconstruction step (an M hypernetwork of the Mistral-7B shape, 4 tasks × 1 embedding, factorized
 * z-scored L1). Seconds per step: min / median / max of the timed steps after the warm-up ones.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Training benchmark: seconds per SFT step and per reconstruction step (BENCHMARKS-WORKLOADS 3).")
public final class BenchTrainCommand implements Callable<Integer> {
    @Option(names = "--steps", defaultValue = "5", description = "timed steps per measure (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--warmup", defaultValue = "1", description = "untimed steps first (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--threads", defaultValue = "0", description = "PyTorch intra-op threads (default: all cores)")
    int threads;

    @Option(names = "--only", defaultValue = "", description = "sft or recon (default: both)")
    String only;

    @Option(names = "--seed", defaultValue = "1234")
    long seed;

    private final List<String> profile = new ArrayList<>();

    @Override
    public Integer call() {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(n)); // before the engine starts
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        System.out.printf("Workload: BENCHMARKS-WORKLOADS.md §3, fp32, %d warm-up + %d timed steps, %d threads, %s,"
                + " load average %s%n%n", warmup, steps, n, MachineLoad.mklDispatch(), MachineLoad.loadAverage());
        System.out.println("| step | trainable parameters | min s | median s | max s | tokens/s (median) | reference median ("
                + ReferenceMedians.LABEL + ") | reference ÷ ours |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        if (!only.equals("recon")) {
            sft();
        }
        if (!only.equals("sft")) {
            recon();
        }
        printProfile();
        return 0;
    }

    private void sft() {
        var j = Json.MAPPER.createObjectNode().put("model_type", "mistral").put("vocab_size", 8000)
                .put("hidden_size", 256).put("intermediate_size", 1536).put("num_hidden_layers", 4)
                .put("num_attention_heads", 4).put("num_key_value_heads", 2).put("tie_word_embeddings", false)
                .put("max_position_embeddings", 512);
        ModelConfig mc = ModelConfig.parse(j, "bench train sft config");
        LoraConfig lora = LoraConfig.t2lDefault(); // r 8, alpha 16, rsLoRA, dropout 0.05, q/v
        HyperConfig hc = HyperConfig.builder().variant(Variant.L).latentSize(128).headInSize(512).taskEmbDim(1024)
                .lora(lora).dimsFrom(mc).trainingTask(TrainingTask.SFT).build();
        SplittableRandom rng = new SplittableRandom(seed);
        Batch batch = batch(rng, 8, 256, 128, mc.vocabSize());
        float[] emb = randoms(rng, 8 * 1024, 1.0);
        LmObjective objective = new LmObjective(0.1, 5, 1e-3, Losses.Reduction.SAMPLE_MEAN);
        try (Transformer model = Transformer.create(mc, new RandomWeights(mc, seed, 0.02));
                NDManager m = NDManager.newBaseManager();
                HyperModulator hyper = HyperModulator.create(hc, seed, m);
                HyperLoraSource source = new HyperLoraSource(hyper, m);
                Optimization opt = new Optimization(source.params(), new OptimConfig(2.5e-5, 1e-2, 0.2, 1.0),
                        1_000_000, new Rng(seed))) {
            TransformerLm lm = new TransformerLm(model);
            double[] s = time(() -> opt.run(m, scope -> {
                NDArray e = scope.create(emb, new Shape(8, 1024));
                return objective.loss(scope, lm, source, batch, e, true)[0];
            }), opt, "SFT");
            long tokens = 8L * 256;
            row(String.format("SFT (base %,d frozen, 8 × 256 tokens)", model.weightBytes() / 4),
                    source.params().numel(), s, String.format("%.0f", tokens / s[s.length / 2]), ReferenceMedians.SFT_STEP);
        }
    }

    private void recon() {
        LoraConfig lora = LoraConfig.t2lDefault();
        HyperConfig hc = HyperConfig.builder().variant(Variant.M).latentSize(128).headInSize(512).taskEmbDim(1024)
                .lora(lora).numLayers(32).module("q_proj", 4096, 4096).module("v_proj", 4096, 1024)
                .trainingTask(TrainingTask.RECON).factorized(true).predZScore(true).build();
        SplittableRandom rng = new SplittableRandom(seed + 1);
        List<LoraWeights> library = new ArrayList<>();
        List<float[][]> embeddings = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Map<LoraWeights.Site, LoraWeights.Pair> pairs = new LinkedHashMap<>();
            for (int l = 0; l < 32; l++) {
                for (String mod : List.of("q_proj", "v_proj")) {
                    int out = mod.equals("q_proj") ? 4096 : 1024;
                    pairs.put(new LoraWeights.Site(l, mod), new LoraWeights.Pair(
                            new FloatTensor(randoms(rng, 8 * 4096, 0.01), new long[] {8, 4096}),
                            new FloatTensor(randoms(rng, out * 8, 0.01), new long[] {out, 8})));
                }
            }
            library.add(new LoraWeights(lora, pairs));
            embeddings.add(new float[][] {randoms(rng, 1024, 1.0)});
        }
        ReconTrainer.Config c = new ReconTrainer.Config(new OptimConfig(1e-3, 1e-3, 0.1, 1.0), 4, 1, 1, 1_000_000, true,
                true, 10000, 1_000_000, seed);
        var stats = ReconTrainer.stats(library);
        int[] taskOf = {0, 1, 2, 3};
        int[] descOf = {0, 0, 0, 0};
        try (NDManager m = NDManager.newBaseManager();
                HyperModulator hyper = HyperModulator.create(hc, seed, m);
                HyperLoraSource source = new HyperLoraSource(hyper, m);
                Optimization opt = new Optimization(source.params(), c.optim(), 1_000_000, new Rng(seed))) {
            double[] s = time(() -> opt.run(m,
                    scope -> ReconTrainer.loss(scope, source, library, embeddings, stats, c, taskOf, descOf)), opt,
                    "reconstruction");
            row("reconstruction (M, Mistral-7B shape, 4 tasks × 1 embedding)", source.params().numel(), s, "–",
                    ReferenceMedians.RECON_STEP);
        }
    }

    /** Random ids; labels −100 on the first {@code masked} positions of every row (the prompt). */
    private static Batch batch(SplittableRandom rng, int rows, int len, int masked, int vocab) {
        List<TokenizedExample> ex = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            int[] ids = new int[len];
            int[] labels = new int[len];
            for (int i = 0; i < len; i++) {
                ids[i] = rng.nextInt(vocab);
                labels[i] = i < masked ? -100 : ids[i];
            }
            ex.add(new TokenizedExample(ids, labels));
        }
        return Batch.collate(ex, new int[rows], new int[rows], 0);
    }

    private static float[] randoms(SplittableRandom rng, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((rng.nextDouble() * 2 - 1) * scale);
        }
        return v;
    }

    /** Seconds per step, sorted; with {@code opt}, also a per-phase profile line (medians) for {@code what}. */
    private double[] time(DoubleSupplier step, Optimization opt, String what) {
        for (int i = 0; i < warmup; i++) {
            step.getAsDouble();
        }
        double[] s = new double[steps];
        List<StepTimes> phases = new ArrayList<>();
        long cpu0 = MachineLoad.processCpuNanos();
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            step.getAsDouble();
            s[i] = (System.nanoTime() - t0) / 1e9;
            if (opt != null) {
                phases.add(opt.lastTimes());
            }
        }
        double cpu = (MachineLoad.processCpuNanos() - cpu0) / 1e9 / steps;
        Arrays.sort(s);
        if (opt != null) {
            // "phases of the ...": ../shared/oracle's aggregate.py takes rows starting "| SFT" / "| reconstruction"
            // as whole-step medians, so the phase rows must not start that way (they did, and it read backward times)
            profile.add(String.format("| phases of the %s step | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |", what, cpu,
                    median(phases, StepTimes::forwardNs), median(phases, StepTimes::backwardNs),
                    median(phases, StepTimes::clipNs), median(phases, StepTimes::optimizerNs),
                    median(phases, StepTimes::zeroGradNs)));
        }
        return s;
    }

    private static double median(List<StepTimes> phases, java.util.function.ToLongFunction<StepTimes> f) {
        double[] v = phases.stream().mapToDouble(p -> f.applyAsLong(p) / 1e9).sorted().toArray();
        return v[v.length / 2];
    }

    private void printProfile() {
        if (profile.isEmpty()) {
            return;
        }
        System.out.println();
        System.out.println("Where a step's time goes (median seconds per phase; forward includes generating the LoRAs and the loss):");
        System.out.println();
        System.out.println("| step | CPU s per step (all threads, mean) | forward + loss | backward | clip | AdamW | zero grads |");
        System.out.println("|---|---|---|---|---|---|---|");
        profile.forEach(System.out::println);
        System.out.println();
        System.out.println("Load average at the end: " + MachineLoad.loadAverage());
    }

    private static void row(String what, long params, double[] s, String tokPerSec, ReferenceMedians ref) {
        double median = s[s.length / 2];
        System.out.printf("| %s | %,d | %.3f | %.3f | %.3f | %s | %s | %s |%n", what, params, s[0], median,
                s[s.length - 1], tokPerSec, ref.cell(), ref.speedup(median));
        System.out.flush();
    }
}
