package ai.t2l.eval;

import ai.t2l.eval.bench.Benchmark;
import ai.t2l.eval.bench.Item;
import ai.t2l.eval.bench.Verdict;
import ai.t2l.io.AtomicFiles;
import ai.t2l.io.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates one condition on one benchmark: prompts in file order, missing completions generated in
 * batches and appended to the cache, each batch scored as it lands (progress shows accuracy so far), and
 * the per-benchmark JSON written atomically. Identical inputs give byte-identical files.
 */
public final class EvalRunner {
    private final EvalSettings settings;
    private final ProgressListener progress;
    private final CompletionCache cache;
    private final Map<String, List<Item>> loaded = new HashMap<>();

    public EvalRunner(EvalSettings settings, ProgressListener progress) {
        this.settings = settings;
        this.progress = progress;
        this.cache = new CompletionCache(settings.outDir().resolve("cache.jsonl"));
    }

    /** The items evaluated: the first {@code limit} of the file, or all. */
    public synchronized List<Item> items(Benchmark b) {
        return loaded.computeIfAbsent(b.name(), n -> {
            List<Item> all = b.load(settings.benchmarksDir());
            return settings.limit() > 0 && settings.limit() < all.size() ? List.copyOf(all.subList(0, settings.limit())) : all;
        });
    }

    /** Whether every completion of this condition and benchmark is cached (then no model is needed). */
    public boolean cached(Condition c, Benchmark b) {
        for (Item item : items(b)) {
            if (cache.get(c.key(), b.name(), item.id(), c.prompts().build(b, item)) == null) {
                return false;
            }
        }
        return true;
    }

    public static Path resultFile(Path outDir, Condition c, Benchmark b) {
        return outDir.resolve("results").resolve(c.key()).resolve(b.name() + ".json");
    }

    /** {@code model} may be null when {@link #cached} is true. */
    public TaskResult run(CompletionModel model, Condition c, Benchmark b) {
        List<Item> items = items(b);
        List<ChatPrompt> prompts = new ArrayList<>(items.size());
        List<String> outputs = new ArrayList<>(items.size());
        for (Item item : items) {
            ChatPrompt p = c.prompts().build(b, item);
            prompts.add(p);
            outputs.add(cache.get(c.key(), b.name(), item.id(), p));
        }
        int batch = settings.batchSize() > 0 ? settings.batchSize() : model == null ? 1 : Math.max(1, model.preferredBatchSize());
        List<Verdict> verdicts = new ArrayList<>(items.size());
        int correct = 0;
        int i = 0;
        while (i < items.size()) {
            // a run of cached items is scored as one block; uncached items go to the model in batches
            int end = i;
            boolean isCached = outputs.get(i) != null;
            while (end < items.size() && (outputs.get(end) != null) == isCached && (isCached || end - i < batch)) {
                end++;
            }
            if (!isCached) {
                generate(model, c, b, items.subList(i, end), prompts.subList(i, end), outputs, i);
            }
            List<Verdict> v = settings.scorer().score(b, items.subList(i, end), outputs.subList(i, end));
            verdicts.addAll(v);
            correct += (int) v.stream().filter(Verdict::correct).count();
            i = end;
            progress.update(c.key(), b.name(), i, items.size(), correct);
        }
        TaskResult r = result(c, b, items, prompts, outputs, verdicts, correct, settings.scorer().containment(b));
        AtomicFiles.writeString(resultFile(settings.outDir(), c, b), Json.write(r) + "\n");
        return r;
    }

    private void generate(CompletionModel model, Condition c, Benchmark b, List<Item> items, List<ChatPrompt> prompts,
                          List<String> outputs, int offset) {
        if (model == null) {
            throw new IllegalStateException("no model given but " + b.name() + " has uncached items for " + c.key());
        }
        List<String> got = model.complete(List.copyOf(prompts), settings.maxNewTokens());
        if (got == null || got.size() != prompts.size()) {
            throw new IllegalStateException("the model returned " + (got == null ? "nothing" : got.size() + " completions")
                    + " for " + prompts.size() + " prompts");
        }
        List<String> ids = items.stream().map(Item::id).toList();
        cache.put(c.key(), b.name(), ids, prompts, got);
        for (int k = 0; k < got.size(); k++) {
            outputs.set(offset + k, got.get(k));
        }
    }

    private static TaskResult result(Condition c, Benchmark b, List<Item> items, List<ChatPrompt> prompts, List<String> outputs,
                                     List<Verdict> verdicts, int correct, String sandbox) {
        List<ItemResult> rows = new ArrayList<>(items.size());
        for (int k = 0; k < items.size(); k++) {
            Verdict v = verdicts.get(k);
            rows.add(new ItemResult(items.get(k).id(), prompts.get(k).user(), prompts.get(k).prefill(), outputs.get(k),
                    v.extracted(), v.correct(), v.detail(), v.value()));
        }
        double score = Verdict.percent(verdicts);
        return new TaskResult(b.name(), b.column(), b.metric(), c.key(), c.row(), score, correct, items.size(), rows, sandbox);
    }
}
