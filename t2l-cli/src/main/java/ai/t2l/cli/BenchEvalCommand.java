package ai.t2l.cli;

import ai.t2l.eval.EvalRequest;
import ai.t2l.eval.EvalRuntime;
import ai.t2l.eval.EvalSettings;
import ai.t2l.eval.Evaluation;
import ai.t2l.eval.ProgressListener;
import ai.t2l.eval.PromptOptions;
import ai.t2l.eval.bench.Benchmark;
import ai.t2l.eval.bench.Benchmarks;
import ai.t2l.eval.runtime.RuntimeCompletionModel;
import ai.t2l.eval.runtime.RuntimeCompletionModel.AdapterMode;
import ai.t2l.generate.ChatModel;
import ai.t2l.io.AtomicFiles;
import ai.t2l.miniature.MiniTokenizer;
import ai.t2l.model.ModelConfig;
import ai.t2l.model.RandomModelFolder;
import ai.t2l.model.RandomWeights;
import ai.t2l.model.Transformer;
import ai.t2l.tokenizer.ChatFormat;
import ai.t2l.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code t2l bench eval}: evaluation throughput (items/s) through the whole {@code Evaluation.run} path (prompts,
 * batched greedy generation, scoring, cache and reports), batch 1 versus batched. Default model: the random Llama of
 * BENCHMARKS-WORKLOADS.md §2 (hidden 768, 12 layers, 12/4 heads, intermediate 2048) with the miniature's character
 * tokenizer, so its vocabulary is 103 instead of 32000 and a prompt has one token per character.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluation throughput: items/s for benchmarks, batch 1 vs batched.")
public final class BenchEvalCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "DIR", description = "Model folder (default: the random §2 Llama, char tokenizer)")
    Path model;

    @Option(names = "--tasks", defaultValue = "arc_easy,gsm8k", description = "Benchmarks (default ${DEFAULT-VALUE})")
    String tasks;

    @Option(names = "--items", defaultValue = "16", description = "Items per benchmark (default ${DEFAULT-VALUE})")
    int items;

    @Option(names = "--batch", defaultValue = "8", description = "Batch size of the batched measure (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--max-new-tokens", defaultValue = "16", description = "Default ${DEFAULT-VALUE} (the paper uses 512)")
    int maxNewTokens;

    @Option(names = "--threads", defaultValue = "0", description = "PyTorch intra-op threads (default: all cores)")
    int threads;

    @Option(names = "--data", paramLabel = "DIR", description = "Benchmarks folder (default: ../shared/data/benchmarks)")
    Path data;

    @Option(names = "--seed", defaultValue = "1234")
    long seed;

    @Override
    public Integer call() throws IOException {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(n)); // before the engine starts
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        List<Benchmark> benchmarks = Benchmarks.parse(tasks);
        Path dataDir = SharedData.locate(data, "benchmarks", "--data");
        Path work = Files.createTempDirectory("t2l-bench-eval");
        try (ChatModel chat = model != null ? ChatModel.open(model) : randomModel(work.resolve("tokenizer"))) {
            ModelConfig c = chat.model().config();
            System.out.printf(Locale.ROOT, "model: %s, %d layers, hidden %d, vocab %d, %,d weight bytes; %d threads%n",
                    model != null ? model : "random §2 Llama (char tokenizer)", c.numLayers(), c.hiddenSize(),
                    c.vocabSize(), chat.model().weightBytes(), n);
            System.out.println("| task | batch | items | max new tokens | seconds | items/s |");
            System.out.println("|---|---|---|---|---|---|");
            for (Benchmark b : benchmarks) {
                run(chat, b, 1, dataDir, work); // warm-up: engine start, first allocations
                for (int bs : List.of(1, batch)) {
                    double s = run(chat, b, bs, dataDir, work);
                    System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %.2f | %.2f |%n", b.name(), bs, items,
                            maxNewTokens, s, items / s);
                }
            }
        } finally {
            AtomicFiles.deleteRecursively(work);
        }
        return 0;
    }

    /** Seconds for one evaluation of {@code items} items at batch size {@code bs}, into a fresh folder (no cache). */
    private double run(ChatModel chat, Benchmark b, int bs, Path dataDir, Path work) throws IOException {
        Path out = Files.createTempDirectory(work, "run");
        EvalRuntime.registerModels((dir, adapter) -> new RuntimeCompletionModel(chat, false, null, null,
                AdapterMode.UNMERGED, bs));
        EvalSettings settings = EvalSettings.of(dataDir, out).withLimit(items).withBatchSize(bs)
                .withMaxNewTokens(maxNewTokens);
        EvalRequest req = EvalRequest.base(work.resolve("bench-model"), List.of(b), new PromptOptions(false, false), settings);
        long t0 = System.nanoTime();
        Evaluation.run(req, ProgressListener.NONE);
        return (System.nanoTime() - t0) / 1e9;
    }

    private ChatModel randomModel(Path tokenizerDir) {
        var json = RandomModelFolder.llamaConfig(MiniTokenizer.vocabSize(), 768, 12, 12, 4, 2048)
                .put("bos_token_id", 1).put("eos_token_id", 2).put("pad_token_id", 0);
        ModelConfig c = ModelConfig.parse(json, "bench eval config");
        MiniTokenizer.write(tokenizerDir);
        Tokenizer tok = Tokenizer.open(tokenizerDir);
        Transformer t = Transformer.create(c, new RandomWeights(c, seed, 0.02));
        return ChatModel.owning(t, tok, ChatFormat.byName("mini"));
    }
}
