package ai.t2l.server;

import ai.t2l.lora.LoraWeights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Deterministic stand-in for the transformer. It answers "<tag>: you said: <last user words>" one word per token,
 * where the tag names the adapter ("base" or "lora-<hash of its weights>"), so tests can tell which adapter answered.
 * With {@code endless} it emits "tick" tokens until max_tokens or cancellation.
 */
final class FakeEngine implements ChatEngine {
    volatile long tokenDelayMs;
    volatile boolean endless;
    final AtomicInteger cancellations = new AtomicInteger();
    final AtomicInteger tokensEmitted = new AtomicInteger();
    volatile CountDownLatch cancelled = new CountDownLatch(1);
    /** Opens when the first token has been handed to the server. */
    final CountDownLatch firstToken = new CountDownLatch(1);
    /** When set, the engine waits for it after its first token (to hold a generation in flight). */
    volatile CountDownLatch holdAfterFirstToken;
    final AtomicReference<Options> lastOptions = new AtomicReference<>();
    final AtomicReference<LoraWeights> lastAdapter = new AtomicReference<>();

    /** The fake "model": 2 layers of width 8 with attention projections (FakeGenerator's default adapters fit). */
    static final int LAYERS = 2;
    static final int WIDTH = 8;

    @Override
    public void checkAdapter(LoraWeights adapter, String source) {
        adapter.pairs().forEach((site, p) -> {
            if (site.layer() >= LAYERS || !List.of("q_proj", "k_proj", "v_proj", "o_proj").contains(site.module())) {
                throw new IllegalArgumentException(source + ": layer " + site.layer() + " " + site.module()
                        + " does not exist in the fake model (" + LAYERS + " layers, attention projections)");
            }
            if (p.in() != WIDTH || p.out() != WIDTH) {
                throw new IllegalArgumentException(source + ": layer " + site.layer() + " " + site.module() + " maps "
                        + p.in() + " -> " + p.out() + ", the fake model's maps " + WIDTH + " -> " + WIDTH);
            }
        });
    }

    static String tagOf(LoraWeights adapter) {
        if (adapter == null) {
            return "base";
        }
        int h = 0;
        for (LoraWeights.Pair p : adapter.pairs().values()) {
            h = 31 * h + Arrays.hashCode(p.a().data());
        }
        return "lora-" + Integer.toHexString(h);
    }

    /** The full answer the fake gives, before max_tokens and stop strings. */
    static String answer(LoraWeights adapter, String lastUser) {
        return String.join(" ", words(adapter, lastUser));
    }

    private static List<String> words(LoraWeights adapter, String lastUser) {
        List<String> w = new ArrayList<>(List.of(tagOf(adapter) + ":", "you", "said:"));
        for (String s : lastUser.trim().split("\\s+")) {
            if (!s.isEmpty()) {
                w.add(s);
            }
        }
        return w;
    }

    @Override
    public Result chat(List<Message> messages, LoraWeights adapter, Options options, TokenSink sink) {
        String lastUser = "";
        int promptTokens = 0;
        for (Message m : messages) {
            promptTokens += m.content().split("\\s+").length + 2;
            if (m.role().equals("user")) {
                lastUser = m.content();
            }
        }
        lastAdapter.set(adapter);
        return generate(words(adapter, lastUser), promptTokens, options, sink);
    }

    @Override
    public Result complete(String prompt, LoraWeights adapter, Options options, TokenSink sink) {
        lastAdapter.set(adapter);
        return generate(words(adapter, prompt), prompt.split("\\s+").length, options, sink);
    }

    private Result generate(List<String> words, int promptTokens, Options options, TokenSink sink) {
        lastOptions.set(options);
        StringBuilder text = new StringBuilder();
        int n = 0;
        while (n < options.maxTokens() && (endless || n < words.size())) {
            String piece = (n == 0 ? "" : " ") + (endless ? "tick" : words.get(n));
            sleep();
            n++;
            tokensEmitted.incrementAndGet();
            text.append(piece);
            if (!sink.onToken(piece)) {
                cancellations.incrementAndGet();
                cancelled.countDown();
                return new Result(text.toString(), FinishReason.CANCELLED, promptTokens, n);
            }
            if (n == 1) {
                firstToken.countDown();
                await(holdAfterFirstToken);
            }
        }
        FinishReason reason = !endless && n == words.size() ? FinishReason.STOP : FinishReason.LENGTH;
        return new Result(text.toString(), reason, promptTokens, n);
    }

    private static void await(CountDownLatch latch) {
        if (latch == null) {
            return;
        }
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test latch never opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void sleep() {
        if (tokenDelayMs > 0) {
            try {
                Thread.sleep(tokenDelayMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }
}
