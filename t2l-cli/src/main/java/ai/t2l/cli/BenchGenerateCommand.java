package ai.t2l.cli;

import ai.djl.ndarray.NDManager;
import ai.t2l.embed.OnnxTaskEmbedder;
import ai.t2l.compute.HeadProduct;
import ai.t2l.hypernet.GenerationPhases;
import ai.t2l.hypernet.HyperConfig;
import ai.t2l.hypernet.HyperInit;
import ai.t2l.hypernet.HyperModulator;
import ai.t2l.hypernet.TrainingTask;
import ai.t2l.hypernet.Variant;
import ai.t2l.io.AtomicFiles;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * BENCHMARKS-WORKLOADS.md §1: adapter generation for a Mistral-7B-shaped target (32 layers, q 4096→4096,
 * v 4096→1024, r 8, latent 128, head_in 512, task embedding 1024), random weights (SFT shapes, head biases on).
 * Times the hypernetwork, the PEFT folder write and the description encoder separately.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Milliseconds per adapter for L, M and S (Mistral-7B shape), folder write, encoder.")
public final class BenchGenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed runs first (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--runs", defaultValue = "7", description = "Timed runs (default ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--variants", split = ",", defaultValue = "L,M,S", description = "Variants (default ${DEFAULT-VALUE})")
    List<Variant> variants;

    @Option(names = "--heads", defaultValue = "f32", paramLabel = "f32|bf16|bf16dot",
            description = "Precision of the head products (t2l generate --heads; default ${DEFAULT-VALUE})")
    GenerateCommand.Heads heads;

    @Option(names = "--descriptions", defaultValue = "1",
            description = "Also time batches of N descriptions per call and report adapters/s (default ${DEFAULT-VALUE})")
    int descriptions;

    /** CPU ms per run of the last {@link #time} call. */
    private double lastCpuMs;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (warmup < 1 || runs < 5) {
            throw new ai.t2l.io.T2lException("benchmarks need --warmup >= 1 and --runs >= 5");
        }
        if (descriptions < 1 || descriptions > 64) {
            throw new ai.t2l.io.T2lException("--descriptions must be between 1 and 64, got " + descriptions);
        }
        SplittableRandom r = new SplittableRandom(1);
        List<float[]> embs = new ArrayList<>();
        for (int d = 0; d < descriptions; d++) {
            float[] e = new float[1024];
            for (int i = 0; i < e.length; i++) {
                e[i] = (float) r.nextGaussian();
            }
            embs.add(e);
        }
        float[] emb = embs.get(0);
        out.printf("Workload: BENCHMARKS-WORKLOADS.md §1, Mistral-7B shape, fp32 (head products in %s), %d warm-up"
                + " + %d timed runs, %d CPUs, load average %s%n%n", heads, warmup, runs,
                Runtime.getRuntime().availableProcessors(), MachineLoad.loadAverage());
        out.println("| measure | trainable parameters | min ms | median ms | max ms | CPU ms per run (all threads, mean) "
                + "| reference median (" + ReferenceMedians.LABEL + ") | reference ÷ ours |");
        out.println("|---|---|---|---|---|---|---|---|");
        List<String> batchRows = new ArrayList<>();
        List<String> phaseRows = new ArrayList<>();
        List<String> firstRows = new ArrayList<>();
        LoraWeights sample = null;
        try (NDManager nd = NDManager.newBaseManager("PyTorch")) {
            for (Variant v : variants) {
                HyperConfig c = mistral7b(v);
                // random everywhere: the recon init draws the heads too; the SFT config keeps the head biases
                HyperConfig random = HyperConfig.builder().variant(v).taskEmbDim(1024).numLayers(32)
                        .module("q_proj", 4096, 4096).module("v_proj", 4096, 1024)
                        .trainingTask(TrainingTask.RECON).headUseBias(true).build();
                try (HyperModulator h = HyperModulator.fromState(c, HyperInit.initialState(random, 42), "random", nd)) {
                    h.headPrecision(heads.precision);
                    final LoraWeights[] last = new LoraWeights[1];
                    long first0 = System.nanoTime();
                    h.generate(List.of(emb));
                    firstRows.add(String.format("| %s | %.1f | %.1f |", v, (System.nanoTime() - first0) / 1e6,
                            h.packedHeadBytes() / 1e6));
                    GenerationPhases phases = new GenerationPhases();
                    double[] t = time(() -> last[0] = h.generate(List.of(emb), phases).get(0), phases::reset);
                    phaseRows.add(phaseRow(v.toString(), phases, runs));
                    row(out, "hypernet " + v + " (embedding → 128 A/B tensors)", String.format("%,d", c.parameterCount()), t,
                            ReferenceMedians.generate(v));
                    sample = last[0];
                    if (descriptions > 1) {
                        GenerationPhases batchPhases = new GenerationPhases();
                        double[] b = time(() -> h.generate(embs, batchPhases), batchPhases::reset);
                        phaseRows.add(phaseRow(v + ", " + descriptions + " per call", batchPhases, runs));
                        double med = b[b.length / 2];
                        double perAdapter = med / descriptions;
                        ReferenceMedians ref = ReferenceMedians.generate(v);
                        batchRows.add(String.format("| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %s | %s |",
                                v, descriptions, b[0], med, b[b.length - 1], lastCpuMs / descriptions, perAdapter,
                                1000 / perAdapter, ref == null ? "–" : ref.cell(),
                                ref == null ? "–" : ref.speedup(perAdapter)));
                    }
                }
            }
        }
        Path dir = Files.createTempDirectory("t2l-bench");
        try {
            LoraWeights w = sample;
            // each folder is deleted after its timed write, as the reference's t2l_gen.py does: on a VM whose new
            // page-cache pages are slow to come by, keeping all of them made every write 6x slower (7 → 46 ms,
            // BENCHMARKS.md, fourteenth session), a cost of the machine's page cache, not of writing the folder
            Path folder = dir.resolve("a");
            double[] t = time(() -> PeftAdapter.write(folder, w, "mistral", "bench", false), () -> { },
                    () -> AtomicFiles.deleteRecursively(folder));
            row(out, String.format("write PEFT folder (%.1f MB)", 4e-6 * w.numel()), "–", t,
                    ReferenceMedians.WRITE_FOLDER);
        } finally {
            AtomicFiles.deleteRecursively(dir);
        }
        try (OnnxTaskEmbedder e = OnnxTaskEmbedder.bundled()) {
            double[] t = time(() -> e.embed("Solve grade-school math word problems step by step, showing each calculation."));
            row(out, "encoder " + e.name() + ", one 20-token description", "–", t, null);
        }
        if (!batchRows.isEmpty()) {
            out.printf("%nBatches: %d descriptions per call (one pass over the head weights for all of them)%n%n",
                    descriptions);
            out.println("| variant | descriptions | min ms per call | median ms per call | max ms per call "
                    + "| CPU ms per adapter (mean) | median ms per adapter | adapters/s "
                    + "| reference ms per adapter (" + ReferenceMedians.LABEL + ", one description per call) "
                    + "| reference ÷ ours, per adapter |");
            out.println("|---|---|---|---|---|---|---|---|---|---|");
            batchRows.forEach(out::println);
        }
        out.printf("%nWhere a call's time goes (wall ms per call, mean over the timed runs, and in brackets the process's "
                + "CPU ms, all threads; the head products run on %s)%n%n", HeadProduct.fast() && !Boolean.getBoolean("t2l.hypernet.engineHeads")
                        ? "the Java kernel, " + HeadProduct.vectorBits() + "-bit vectors" : "the engine");
        StringBuilder head = new StringBuilder("| variant |");
        StringBuilder rule = new StringBuilder("|---|");
        for (GenerationPhases.Phase p : GenerationPhases.Phase.values()) {
            head.append(' ').append(p.label()).append(" |");
            rule.append("---|");
        }
        out.println(head.append(" sum |"));
        out.println(rule.append("---|"));
        phaseRows.forEach(out::println);
        out.printf("%nThe first call of each variant, before the warm-up (it packs the head weights for the Java kernel "
                + "once; the JIT is still cold)%n%n");
        out.println("| variant | first call ms | packed head weights kept (MB) |");
        out.println("|---|---|---|");
        firstRows.forEach(out::println);
        out.println();
        out.println("Load average at the end: " + MachineLoad.loadAverage());
        return 0;
    }

    static HyperConfig mistral7b(Variant v) {
        return HyperConfig.builder().variant(v).latentSize(128).headInSize(512).taskEmbDim(1024).numLayers(32)
                .module("q_proj", 4096, 4096).module("v_proj", 4096, 1024).trainingTask(TrainingTask.SFT).build();
    }

    /** One profile row: mean wall ms per call of each phase. */
    private static String phaseRow(String what, GenerationPhases phases, int calls) {
        StringBuilder b = new StringBuilder("| ").append(what).append(" |");
        double sum = 0;
        double cpuSum = 0;
        for (GenerationPhases.Phase p : GenerationPhases.Phase.values()) {
            double ms = phases.millis(p) / calls;
            double cpu = phases.cpuMillis(p) / calls;
            sum += ms;
            cpuSum += cpu;
            b.append(String.format(" %.1f (%.1f) |", ms, cpu));
        }
        return b.append(String.format(" %.1f (%.1f) |", sum, cpuSum)).toString();
    }

    private double[] time(Runnable task) {
        return time(task, () -> { });
    }

    private double[] time(Runnable task, Runnable beforeTimed) {
        return time(task, beforeTimed, () -> { });
    }

    /**
     * Warm-up runs, then {@code beforeTimed}, then the timed runs, each followed by {@code afterEach} (untimed);
     * sorted wall ms.
     */
    private double[] time(Runnable task, Runnable beforeTimed, Runnable afterEach) {
        for (int i = 0; i < warmup; i++) {
            task.run();
            afterEach.run();
        }
        beforeTimed.run();
        List<Double> ms = new ArrayList<>();
        long cpu = 0;
        for (int i = 0; i < runs; i++) {
            long cpu0 = MachineLoad.processCpuNanos();
            long t0 = System.nanoTime();
            task.run();
            ms.add((System.nanoTime() - t0) / 1e6);
            cpu += MachineLoad.processCpuNanos() - cpu0;
            afterEach.run();
        }
        lastCpuMs = cpu / 1e6 / runs;
        double[] a = ms.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a;
    }

    private void row(PrintWriter out, String what, String params, double[] sorted, ReferenceMedians ref) {
        double median = sorted[sorted.length / 2];
        out.printf("| %s | %s | %.1f | %.1f | %.1f | %.1f | %s | %s |%n", what, params, sorted[0], median,
                sorted[sorted.length - 1], lastCpuMs, ref == null ? "–" : ref.cell(), ref == null ? "–" : ref.speedup(median));
        out.flush();
    }
}
