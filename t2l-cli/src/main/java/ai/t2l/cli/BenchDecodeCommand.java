package ai.t2l.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.Json;
import ai.t2l.lora.LoraBatch;
import ai.t2l.lora.LoraConfig;
import ai.t2l.lora.LoraWeights;
import ai.t2l.model.ForwardInput;
import ai.t2l.model.KvCache;
import ai.t2l.model.ModelConfig;
import ai.t2l.model.RandomWeights;
import ai.t2l.model.Transformer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code t2l bench decode}: BENCHMARKS-WORKLOADS.md §2. A random Llama (vocab 32000, hidden 768, 12 layers, 12
 * heads, 4 KV heads, intermediate 2048, untied) built in memory; prefill of 128 random ids; 64 greedy decode steps
 * over the KV cache at batch 1 and 8; without LoRA, with a q/v LoRA (r 8, alpha 16) unmerged, and merged. The
 * measures run in interleaved rounds ({@link InterleavedRuns}); merged after the others, in rounds of its own.
 */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = "Inference benchmark: prefill and KV-cache decoding, base / LoRA unmerged / merged.")
public final class BenchDecodeCommand implements Callable<Integer> {
    @Option(names = "--runs", defaultValue = "5", description = "timed runs per measure (default ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--warmup", defaultValue = "1", description = "untimed runs first (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--threads", defaultValue = "0", description = "PyTorch intra-op threads (default: all cores)")
    int threads;

    @Option(names = "--prompt-tokens", defaultValue = "128")
    int promptTokens;

    @Option(names = "--new-tokens", defaultValue = "64")
    int newTokens;

    @Option(names = "--batch", defaultValue = "8", description = "batch size of the batched decode measure")
    int batch;

    @Option(names = "--seed", defaultValue = "1234")
    long seed;

    @Option(names = "--model", paramLabel = "DIR",
            description = "benchmark a model folder (bf16 folders mapped in place; see --weights) instead of §2's model")
    Path model;

    @Option(names = "--shape", paramLabel = "NAME",
            description = "write a random bf16 model of a real shape (mistral-7b, llama-3.1-8b, gemma-2-2b) to --out"
                    + " (kept there for later runs), then benchmark it")
    String shape;

    @Option(names = "--out", paramLabel = "DIR", description = "folder for --shape (default: t2l-shapes/NAME)")
    Path out;

    @picocli.CommandLine.Mixin
    WeightsOption weights;

    /** One measure of one variant: its tokens/s per timed round, in round order (see {@link #tokPerSec}). */
    private record Result(String measure, String variant, double[] rounds) {
        /** The rounds' values, sorted: min first. */
        double[] tokPerSec() {
            return InterleavedRuns.sorted(rounds);
        }
    }

    @Override
    public Integer call() {
        checkCounts();
        if (shape != null) {
            Path dir = out != null ? out : Path.of("t2l-shapes", shape);
            long t0 = System.nanoTime();
            boolean existed = Files.exists(dir.resolve("config.json"));
            ai.t2l.model.RealShapes.write(shape, dir, seed);
            System.out.printf("%s: %s (%.1f GB bf16)%s%n", shape, dir, ai.t2l.model.RealShapes.bf16Bytes(shape) / 1e9,
                    existed ? ", already written" : String.format(", written in %.0f s", (System.nanoTime() - t0) / 1e9));
            model = dir;
        }
        if (model != null) {
            return benchFolder(model);
        }
        // Must be set before the engine starts; PyTorch otherwise picks its own thread count.
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(n));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        ModelConfig config = ModelConfig.parse(llamaConfig(), "bench decode config");
        long t0 = System.nanoTime();
        List<Result> results = new ArrayList<>();
        try (Transformer model = Transformer.create(config, new RandomWeights(config, seed, 0.02))) {
            System.out.printf("random Llama built in %.1f s: %,d parameters, weights hold %.1f MB (float32)%n",
                    (System.nanoTime() - t0) / 1e9, model.weightBytes() / 4, model.weightBytes() / 1e6);
            LoraWeights adapter = randomLora(config);
            SplittableRandom rng = new SplittableRandom(seed);
            int[][] prompt1 = randomIds(rng, 1, config.vocabSize());
            int[][] promptB = randomIds(rng, batch, config.vocabSize());
            try (KvCache cache = model.newCache(promptTokens + newTokens);
                    LoraBatch lora = LoraBatch.shared(model.manager(), adapter)) {
                // base and unmerged interleaved; merged after them, since a merge changes every forward until closed
                results.addAll(timeVariants(model, cache, prompt1, promptB,
                        List.of(new Variant("base", null), new Variant("LoRA unmerged", lora)), null));
                try (Transformer.Merged merged = model.merge(adapter, "bench")) {
                    results.addAll(timeVariants(model, cache, prompt1, promptB,
                            List.of(new Variant("LoRA merged", null)), null));
                }
                printTable(results);
                printBatchRatios(results);
                System.out.printf("%nmemory: weights %.1f MB; their panel copies for batched decode %.1f MB (heap);"
                                + " LoRA (q,v r8, 12 layers) %.2f MB; KV cache %.1f MB (batch %d, %d positions);"
                                + " process RSS %s%n", model.weightBytes() / 1e6, model.panelBytes() / 1e6,
                        adapter.numel() * 4 / 1e6, cache.bytes() / 1e6, batch, promptTokens + newTokens, rss());
                System.out.printf("threads %d, %d timed rounds after %d warm-up, base and unmerged interleaved; %s%n",
                        n, runs, warmup, MachineLoad.mklDispatch());
            }
        }
        return 0;
    }

    /**
     * §4: a model folder in the precision of --weights: load time, peak RSS against the files' size, prefill and
     * decode tokens/s at batch 1 and --batch, base and with a q/v LoRA (r 8, unmerged; a merge into 16/8-bit weights
     * is the same computation, see Transformer.merge), and the memory-bandwidth floor of batch-1 decode.
     */
    private int benchFolder(Path dir) {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(n));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        ai.t2l.compute.WeightPrecision precision = ai.t2l.compute.WeightPrecision.inferenceDefault();
        long fileBytes;
        try (ai.t2l.io.ModelWeights w = ai.t2l.io.ModelWeights.open(dir)) {
            fileBytes = w.fileBytes();
        }
        long t0 = System.nanoTime();
        try (Transformer m = Transformer.load(dir, precision)) {
            ModelConfig config = m.config();
            double load = (System.nanoTime() - t0) / 1e9;
            // bytes one decode step streams: every matrix except the embedding, which only gives rows (tied: it is
            // the lm head too, so it counts)
            long params = Transformer.sizeStoredHalf(config).matrixParams();
            long embedBytes = config.tieWordEmbeddings() ? 0
                    : m.weightBytes() * ((long) config.vocabSize() * config.hiddenSize()) / params;
            long streamed = m.weightBytes() - embedBytes;
            double floor = 23e9 / streamed;
            System.out.printf("%s: %s, weights %s %.2f GB (files %.2f GB), products %s, loaded in %.1f s, RSS after"
                    + " load %s%n", dir, config.family().modelType, m.storage(), m.weightBytes() / 1e9, fileBytes / 1e9,
                    System.getProperty(ai.t2l.compute.F32Matrix.PRODUCTS_PROPERTY, "f32"), load, rss());
            LoraWeights adapter = randomLora(config);
            SplittableRandom rng = new SplittableRandom(seed);
            int[][] prompt1 = randomIds(rng, 1, config.vocabSize());
            int[][] promptB = randomIds(rng, batch, config.vocabSize());
            List<Result> results = new ArrayList<>();
            try (KvCache cache = m.newCache(promptTokens + newTokens);
                    LoraBatch lora = LoraBatch.shared(m.manager(), adapter)) {
                System.out.printf("%d warm-up round(s), then %d timed rounds of the six measures, interleaved"
                        + " (tokens/s):%n", warmup, runs);
                results.addAll(timeVariants(m, cache, prompt1, promptB,
                        List.of(new Variant("base", null), new Variant("LoRA unmerged", lora)), System.out));
            }
            printTable(results);
            printBatchRatios(results);
            for (Result r : results) {
                if (r.measure().startsWith("decode") && r.measure().endsWith("batch 1")) {
                    System.out.printf("%s decode batch 1: %.2f tok/s = %.0f%% of the floor %.2f tok/s (%.2f GB read per"
                            + " token / 23 GB/s)%n", r.variant(), median(r.tokPerSec()), 100 * median(r.tokPerSec())
                            / floor, floor, streamed / 1e9);
                }
            }
            long peak = kib(statusField("VmHWM:")) * 1024;
            System.out.printf("peak RSS %.2f GB = %.2f x the files (%.2f GB; the issue's limit is 1.15 x); now: file-backed"
                    + " %s, anonymous %s; threads %d; %d timed runs after %d warm-up; load average %s%n", peak / 1e9,
                    (double) peak / fileBytes, fileBytes / 1e9, statusField("RssFile:"), statusField("RssAnon:"), n,
                    runs, warmup, loadAverage());
        }
        return 0;
    }

    /** Counts the measures need, refused before anything loads (a median of no runs has no meaning). */
    private void checkCounts() {
        atLeast("--runs", runs, 1);
        atLeast("--warmup", warmup, 0);
        atLeast("--batch", batch, 1);
        atLeast("--prompt-tokens", promptTokens, 1);
        atLeast("--new-tokens", newTokens, 1);
    }

    private static void atLeast(String option, int value, int least) {
        if (value < least) {
            throw new ai.t2l.io.T2lException(option + " must be at least " + least + ", got " + value);
        }
    }

    /** A variant of the model under test: its name in the table and its unmerged LoRA, if any. */
    private record Variant(String name, LoraBatch lora) {}

    /**
     * Prefill, batch-1 decode and batch-{@code batch} decode for each variant, all interleaved ({@link
     * InterleavedRuns}); the results listed variant by variant, those three in this order ({@link #printBatchRatios}
     * relies on it).
     */
    private List<Result> timeVariants(Transformer m, KvCache cache, int[][] prompt1, int[][] promptB,
            List<Variant> variants, java.io.PrintStream progress) {
        List<String> measures = List.of("prefill " + promptTokens + " tok, batch 1", "decode " + newTokens
                + " tok, batch 1", "decode " + newTokens + " tok, batch " + batch);
        List<InterleavedRuns.Measure> timed = new ArrayList<>();
        for (Variant v : variants) {
            timed.add(new InterleavedRuns.Measure(measures.get(0) + "  " + v.name(),
                    () -> promptTokens / prefill(m, cache, prompt1, v.lora())));
            timed.add(new InterleavedRuns.Measure(measures.get(1) + "  " + v.name(),
                    () -> newTokens / decode(m, cache, prompt1, v.lora())));
            timed.add(new InterleavedRuns.Measure(measures.get(2) + "  " + v.name(),
                    () -> batch * newTokens / decode(m, cache, promptB, v.lora())));
        }
        double[][] values = InterleavedRuns.time(timed, warmup, runs, progress);
        List<Result> results = new ArrayList<>();
        for (int k = 0; k < timed.size(); k++) {
            results.add(new Result(measures.get(k % 3), variants.get(k / 3).name(), values[k]));
        }
        return results;
    }

    private static long kib(String field) {
        try {
            return Long.parseLong(field.replaceAll("[^0-9]", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "n/a";
        }
    }

    private ObjectNode llamaConfig() {
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("model_type", "llama");
        c.put("vocab_size", 32000);
        c.put("hidden_size", 768);
        c.put("intermediate_size", 2048);
        c.put("num_hidden_layers", 12);
        c.put("num_attention_heads", 12);
        c.put("num_key_value_heads", 4);
        c.put("rms_norm_eps", 1e-5);
        c.put("rope_theta", 10000.0);
        c.put("max_position_embeddings", 2048);
        c.put("tie_word_embeddings", false);
        c.put("hidden_act", "silu");
        return c;
    }

    private LoraWeights randomLora(ModelConfig c) {
        SplittableRandom rng = new SplittableRandom(seed + 1);
        Map<LoraWeights.Site, LoraWeights.Pair> pairs = new LinkedHashMap<>();
        for (int l = 0; l < c.numLayers(); l++) {
            for (String m : List.of("q_proj", "v_proj")) {
                float[] a = new float[8 * c.inFeatures(m)];
                float[] b = new float[c.outFeatures(m) * 8];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) rng.nextDouble(-0.05, 0.05);
                }
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) rng.nextDouble(-0.05, 0.05);
                }
                pairs.put(new LoraWeights.Site(l, m), new LoraWeights.Pair(
                        new FloatTensor(a, new long[] {8, c.inFeatures(m)}),
                        new FloatTensor(b, new long[] {c.outFeatures(m), 8})));
            }
        }
        return new LoraWeights(new LoraConfig(8, 16, false, 0, List.of("q_proj", "v_proj")), pairs);
    }

    private int[][] randomIds(SplittableRandom rng, int rows, int vocab) {
        int[][] ids = new int[rows][promptTokens];
        for (int[] row : ids) {
            for (int i = 0; i < row.length; i++) {
                row[i] = rng.nextInt(vocab);
            }
        }
        return ids;
    }

    /** Seconds of one prefill (last-position logits, as generate computes them). */
    private static double prefill(Transformer m, KvCache cache, int[][] ids, LoraBatch lora) {
        cache.reset();
        long t0 = System.nanoTime();
        try (NDManager scope = m.manager().newSubManager()) {
            m.forward(scope, ForwardInput.of(ids).withCache(cache).withLora(lora).withLastOnly()).logits().argMax(-1)
                    .toLongArray();
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Seconds of {@code newTokens} greedy steps after an untimed prefill; argmax stays native, only ids return. */
    private double decode(Transformer m, KvCache cache, int[][] ids, LoraBatch lora) {
        cache.reset();
        long[] next;
        try (NDManager scope = m.manager().newSubManager()) {
            next = m.forward(scope, ForwardInput.of(ids).withCache(cache).withLora(lora).withLastOnly()).logits()
                    .argMax(-1).toLongArray();
        }
        long t0 = System.nanoTime();
        int[][] step = new int[ids.length][1];
        for (int t = 0; t < newTokens; t++) {
            for (int r = 0; r < ids.length; r++) {
                step[r][0] = (int) next[r];
            }
            try (NDManager scope = m.manager().newSubManager()) {
                NDArray logits = m.forward(scope, ForwardInput.of(step).withCache(cache).withLora(lora).withLastOnly())
                        .logits();
                next = logits.argMax(-1).toLongArray();
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void printTable(List<Result> results) {
        System.out.printf("%n%-28s %-14s %10s %10s %10s   %-16s %s   (tokens/s; reference: %s)%n", "measure", "variant",
                "min", "median", "max", "reference median", "ours ÷ reference", ReferenceMedians.LABEL);
        for (Result r : results) {
            double[] v = r.tokPerSec();
            ReferenceMedians ref = ReferenceMedians.decode(r.measure(), r.variant());
            System.out.printf("%-28s %-14s %10.1f %10.1f %10.1f   %-16s %s%n", r.measure(), r.variant(), v[0], median(v),
                    v[v.length - 1], ref == null ? "–" : ref.cell(), ref == null ? "–" : ref.speedup(median(v)));
        }
    }

    /**
     * Per variant, batched decode's tokens/s over batch 1's, round by round: the two measures of a round ran within the
     * same minutes, so their ratio does not carry the machine's drift between minutes that a ratio of two medians does
     * (issue 15 asks for batch 8 at 4× batch 1; batch 1 on these VMs moved 5.6–7.8 tok/s between runs minutes apart,
     * BENCHMARKS.md, thirty-first session).
     */
    private void printBatchRatios(List<Result> results) {
        if (batch == 1) {
            return;
        }
        for (int k = 0; k + 2 < results.size(); k += 3) { // per variant: prefill, batch 1, batched (timeVariants)
            double[] single = results.get(k + 1).rounds();
            double[] batched = results.get(k + 2).rounds();
            double[] ratio = new double[batched.length];
            for (int r = 0; r < ratio.length; r++) {
                ratio[r] = batched[r] / single[r];
            }
            double[] v = InterleavedRuns.sorted(ratio);
            System.out.printf("%s: batch %d ÷ batch 1, round by round: min %.2f, median %.2f, max %.2f%n",
                    results.get(k).variant(), batch, v[0], median(v), v[v.length - 1]);
        }
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String rss() {
        return statusField("VmRSS:");
    }

    private static String statusField(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return line.substring(field.length()).trim();
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return "n/a";
    }
}
