package ai.t2l.eval;

import ai.t2l.eval.bench.Benchmark;
import ai.t2l.eval.bench.CodeBenchmark;
import ai.t2l.eval.bench.Item;
import ai.t2l.eval.bench.Verdict;
import ai.t2l.eval.sandbox.PythonSandbox;
import ai.t2l.eval.sandbox.SandboxLimits;
import ai.t2l.eval.sandbox.SandboxMode;
import ai.t2l.eval.sandbox.SandboxResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Scores outputs for any benchmark: text benchmarks directly, code benchmarks by running each solution in
 * the sandbox on a small thread pool. Verdicts come back in item order whatever the pool does.
 */
public final class Scorer {
    private final PythonSandbox sandbox;
    private final int threads;

    public Scorer(PythonSandbox sandbox, int threads) {
        this.sandbox = sandbox;
        this.threads = Math.max(1, threads);
    }

    public Scorer() {
        this(SandboxMode.STRONG);
    }

    /** The default pool with the given sandbox mode ({@code t2l eval run --sandbox}). */
    public Scorer(SandboxMode mode) {
        this(new PythonSandbox(SandboxLimits.DEFAULT, mode), Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
    }

    /**
     * Which containment runs the code of a code benchmark (docs/SANDBOX.md), for its results file; null for a
     * text benchmark. Probes the machine once; a strong sandbox that cannot be set up throws a clear T2lException.
     */
    public String containment(Benchmark b) {
        return b.isCode() ? sandbox.containment() : null;
    }

    public List<Verdict> score(Benchmark b, List<Item> items, List<String> outputs) {
        if (items.size() != outputs.size()) {
            throw new IllegalArgumentException(items.size() + " items but " + outputs.size() + " outputs");
        }
        List<Verdict> out = new ArrayList<>(items.size());
        if (!(b instanceof CodeBenchmark code)) {
            for (int i = 0; i < items.size(); i++) {
                out.add(b.score(items.get(i), outputs.get(i)));
            }
            return out;
        }
        if (items.isEmpty()) {
            return out;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, items.size()), r -> {
            Thread t = new Thread(r, "t2l-code-scorer");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Verdict>> futures = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                Item item = items.get(i);
                String output = outputs.get(i);
                futures.add(pool.submit(() -> runCode(code, item, output)));
            }
            for (Future<Verdict> f : futures) {
                out.add(f.get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while scoring " + b.name(), e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private Verdict runCode(CodeBenchmark b, Item item, String output) {
        String solution = b.solution(item, output);
        SandboxResult r = sandbox.run(solution, item.code().test(), item.code().sanitize());
        return new Verdict(solution, r.passed(), r.summary());
    }
}
