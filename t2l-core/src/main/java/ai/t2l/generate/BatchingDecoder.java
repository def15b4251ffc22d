package ai.t2l.generate;

import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraBatch;
import ai.t2l.lora.LoraWeights;
import ai.t2l.model.ForwardInput;
import ai.t2l.model.KvCache;
import ai.t2l.model.Transformer;
import ai.t2l.tokenizer.StreamingDecoder;
import ai.t2l.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Serves generation requests from many threads on one model: requests that wait together are decoded together, one
 * forward pass per step for the whole batch, each row with its own adapter (unmerged, {@link LoraBatch#of}), sampler,
 * seed, token budget and end tokens. One decoder thread owns the model and its KV cache; callers block in
 * {@link #run} and receive their text on their own thread, so a slow client never stalls the other rows.
 *
 * <p>Batching is per wave: a request arriving while a batch decodes waits for that batch to finish (the KV cache
 * holds one left-padded batch and cannot take a row mid-flight). A cancelled row stops within one step.
 */
public final class BatchingDecoder implements AutoCloseable {
    /**
     * One continuation to produce.
     *
     * @param adapter  null runs the base model
     * @param eosIds   generating any of these ends the row (the token is counted, its text is not emitted)
     */
    public record Request(int[] prompt, LoraWeights adapter, Sampler sampler, long seed, int maxNewTokens,
            Set<Integer> eosIds) {
        public Request {
            Objects.requireNonNull(prompt);
            Objects.requireNonNull(sampler);
            eosIds = Set.copyOf(eosIds);
            if (prompt.length == 0) {
                throw new IllegalArgumentException("the prompt has no tokens");
            }
            if (maxNewTokens <= 0) {
                throw new IllegalArgumentException("maxNewTokens must be positive, got " + maxNewTokens);
            }
        }
    }

    /** Receives decoded text on the caller's thread; false cancels the row. */
    @FunctionalInterface
    public interface TextSink {
        boolean onText(String text);
    }

    public enum Finish { EOS, MAX_TOKENS, CANCELLED }

    /** @param tokens new tokens generated, an end token included */
    public record Outcome(String text, Finish finish, int tokens) {}

    /** How much batching happened: batches decoded, rows they held, and the largest batch. */
    public record Stats(long batches, long rows, int largestBatch) {}

    private static final Object CLOSED = new Object();

    private final Transformer model;
    private final Tokenizer tokenizer;
    private final int maxBatch;
    private final BlockingQueue<Object> pending = new LinkedBlockingQueue<>();
    private final Thread worker;
    private final KvCache cache;
    private volatile boolean closed;
    private volatile Stats stats = new Stats(0, 0, 0);

    /** @param maxBatch most rows decoded in one forward pass */
    public BatchingDecoder(Transformer model, Tokenizer tokenizer, int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        this.model = model;
        this.tokenizer = tokenizer;
        this.maxBatch = maxBatch;
        this.cache = model.newCache();
        this.worker = new Thread(this::loop, "t2l-decoder");
        worker.setDaemon(true);
        worker.start();
    }

    public Stats stats() {
        return stats;
    }

    /** Most tokens a prompt plus its continuation may hold (the model's context). */
    public int contextLength() {
        return model.config().maxPositionEmbeddings();
    }

    /**
     * Generates for {@code request}, streaming text to {@code sink} on this thread, and returns when the row ends.
     * The budget is cut to what the context leaves. Interrupting the caller cancels its row.
     */
    public Outcome run(Request request, TextSink sink) {
        if (request.prompt().length >= contextLength()) {
            throw new IllegalArgumentException("the prompt has " + request.prompt().length
                    + " tokens; the model's context holds " + contextLength() + " with room for at least one more");
        }
        if (closed) {
            throw new T2lException("the decoder is closed");
        }
        Row row = new Row(request, Math.min(request.maxNewTokens(), contextLength() - request.prompt().length));
        pending.add(row);
        StringBuilder text = new StringBuilder();
        boolean interrupted = false;
        try {
            while (true) {
                Object e;
                try {
                    e = row.events.poll(1, TimeUnit.SECONDS);
                } catch (InterruptedException ie) {
                    interrupted = true;
                    row.cancelled = true;
                    continue;
                }
                if (e == null) {
                    if (!worker.isAlive()) {
                        throw new T2lException("the decoder thread stopped");
                    }
                } else if (e instanceof String s) {
                    text.append(s);
                    if (!row.cancelled && !s.isEmpty() && !sink.onText(s)) {
                        row.cancelled = true;
                    }
                } else if (e instanceof Finish f) {
                    return new Outcome(text.toString(), f, row.generated);
                } else if (e instanceof RuntimeException err) {
                    throw new T2lException("generation failed: " + err.getMessage(), err);
                } else if (e instanceof Error err) {
                    throw err;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One request in flight: owned by the decoder thread except the cancelled flag and the event queue. */
    private final class Row {
        final Request request;
        final int budget;
        final BlockingQueue<Object> events = new LinkedBlockingQueue<>(); // String pieces, then a Finish or a Throwable
        final StreamingDecoder decoder = tokenizer.streamingDecoder(true);
        final SplittableRandom rng;
        volatile boolean cancelled;
        int generated;
        boolean done;

        Row(Request request, int budget) {
            this.request = request;
            this.budget = budget;
            this.rng = new SplittableRandom(request.seed());
        }

        void finish(Finish f) {
            String tail = f == Finish.CANCELLED ? "" : decoder.flush();
            if (!tail.isEmpty()) {
                events.add(tail);
            }
            events.add(f);
            done = true;
        }
    }

    private void loop() {
        // this thread only infers: without autograd recording, float32 decode products may run on the Java kernel
        // (a new thread starts with PyTorch's grad mode on; compute/Autograd)
        ai.t2l.compute.Autograd.offOnThisThread();
        List<Row> batch = new ArrayList<>();
        while (!closed) {
            batch.clear();
            try {
                Object first = pending.take();
                if (first == CLOSED) {
                    break;
                }
                batch.add((Row) first);
                List<Object> more = new ArrayList<>();
                pending.drainTo(more, maxBatch - 1);
                for (Object o : more) {
                    if (o == CLOSED) {
                        closed = true;
                    } else {
                        batch.add((Row) o);
                    }
                }
                decode(batch);
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException | Error e) {
                for (Row r : batch) {
                    if (!r.done) {
                        r.events.add(e);
                        r.done = true;
                    }
                }
            }
        }
        failPending();
    }

    /** Prefills the batch's prompts (left-padded), then steps every running row until all have ended. */
    private void decode(List<Row> all) {
        List<Row> rows = new ArrayList<>();
        for (Row r : all) {
            if (r.cancelled) {
                r.finish(Finish.CANCELLED);
            } else {
                rows.add(r);
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        int b = rows.size();
        stats = new Stats(stats.batches() + 1, stats.rows() + b, Math.max(stats.largestBatch(), b));
        int longest = rows.stream().mapToInt(r -> r.request.prompt().length).max().orElseThrow();
        int pad = model.config().padTokenId() == null ? 0 : model.config().padTokenId();
        int[][] ids = new int[b][longest];
        int[][] mask = new int[b][longest];
        for (int i = 0; i < b; i++) {
            int[] p = rows.get(i).request.prompt();
            int offset = longest - p.length; // left padding: every row's last token sits in the last column
            Arrays.fill(ids[i], 0, offset, pad);
            System.arraycopy(p, 0, ids[i], offset, p.length);
            Arrays.fill(mask[i], offset, longest, 1);
        }
        List<LoraWeights> adapters = rows.stream().map(r -> r.request.adapter()).toList();
        boolean greedy = rows.stream().allMatch(r -> r.request.sampler() == Sampler.GREEDY);
        int vocab = model.config().vocabSize();
        cache.reset();
        try (LoraBatch lora = adapters.stream().allMatch(Objects::isNull) ? null
                : LoraBatch.of(model.manager(), adapters)) {
            float[] logits = step(ForwardInput.of(ids).withMask(mask), lora, greedy);
            while (true) {
                int[][] next = new int[b][1];
                int running = 0;
                for (int i = 0; i < b; i++) {
                    Row r = rows.get(i);
                    next[i][0] = pad; // a finished row keeps stepping with a pad; its output is ignored
                    if (r.done) {
                        continue;
                    }
                    if (r.cancelled) {
                        r.finish(Finish.CANCELLED);
                        continue;
                    }
                    int token = greedy ? (int) logits[i]
                            : r.request.sampler().sample(Arrays.copyOfRange(logits, i * vocab, (i + 1) * vocab), r.rng);
                    r.generated++;
                    if (r.request.eosIds().contains(token)) {
                        r.finish(Finish.EOS);
                        continue;
                    }
                    r.events.add(r.decoder.push(token));
                    if (r.generated >= r.budget) {
                        r.finish(Finish.MAX_TOKENS);
                        continue;
                    }
                    next[i][0] = token;
                    running++;
                }
                if (running == 0) {
                    return;
                }
                logits = step(ForwardInput.of(next), lora, greedy);
            }
        }
    }

    private float[] step(ForwardInput in, LoraBatch lora, boolean argmax) {
        return Generator.lastStep(model, cache, in, lora, argmax);
    }

    private void failPending() {
        Object o;
        while ((o = pending.poll()) != null) {
            if (o instanceof Row r) {
                r.events.add(new T2lException("the decoder was closed"));
            }
        }
    }

    /** Ends the decoder thread after the batch in progress; requests still waiting fail. Frees the KV cache. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pending.add(CLOSED);
        try {
            worker.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failPending();
        cache.close();
    }
}
