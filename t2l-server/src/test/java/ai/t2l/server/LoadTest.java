package ai.t2l.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bounded load on loopback: 16 clients x 50 requests mixing adapter generation and chat (streaming and not) over 50
 * distinct descriptions, with a cache budget of 20 adapters so eviction runs all the time. Every answer must be the
 * one its own adapter gives (no adapter leaks between concurrent requests), with zero errors, and the cache must stay
 * within budget throughout. Latencies are printed, never asserted.
 */
@Tag("load") // 800 requests: run with -Pload (see t2l-server/README.md); ConcurrencyTest is the small version
@Timeout(600)
class LoadTest {
    static final int DESCRIPTIONS = 50;

    @Test
    void sixteenClientsFiftyRequestsEach() throws Exception {
        run(16, 50);
    }

    /** The whole check with {@code clientCount} concurrent clients sending {@code requestCount} requests each. */
    static void run(int clientCount, int requestCount) throws Exception {
        FakeGenerator gen = new FakeGenerator("ckpt-load", 4, 64, 8); // 16 KiB per adapter
        gen.delayMs = 5;
        FakeEngine engine = new FakeEngine();
        long budget = 20 * gen.bytesPerAdapter();
        List<String> descriptions = new ArrayList<>();
        for (int i = 0; i < DESCRIPTIONS; i++) {
            descriptions.add("synthetic task number " + i + ": answer questions about topic " + (i * 7919 % 101));
        }
        try (ServerFixture s = new ServerFixture(gen, engine, ServerLimits.defaults(), budget, null)) {
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong maxBytes = new AtomicLong();
            Thread sampler = new Thread(() -> {
                while (running.get()) {
                    maxBytes.accumulateAndGet(s.server.cachedAdapterBytes(), Math::max);
                    try {
                        Thread.sleep(1); // sampling, not spinning: the machine has few cores
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.setDaemon(true);
            sampler.start();

            Map<String, ConcurrentLinkedQueue<Long>> latencies = new ConcurrentHashMap<>();
            ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
            ExecutorService clients = Executors.newFixedThreadPool(clientCount);
            List<Future<?>> done = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int c = 0; c < clientCount; c++) {
                int client = c;
                done.add(clients.submit(() -> {
                    for (int k = 0; k < requestCount; k++) {
                        String d = descriptions.get((client * 7 + k * 3) % DESCRIPTIONS);
                        String kind = switch (k % 4) {
                            case 0 -> "adapter";
                            case 1 -> "chat";
                            case 2 -> "chat-stream";
                            default -> "chat-base";
                        };
                        long start = System.nanoTime();
                        String problem = oneRequest(s, kind, d, client, k);
                        latencies.computeIfAbsent(kind, x -> new ConcurrentLinkedQueue<>())
                                .add(System.nanoTime() - start);
                        if (problem != null) {
                            errors.add(kind + " '" + d + "': " + problem);
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(5, TimeUnit.MINUTES); // bounded: the test stops by itself
            }
            long wallMs = (System.nanoTime() - t0) / 1_000_000;
            clients.shutdown();
            running.set(false);
            sampler.join();

            report(latencies, wallMs, s, gen, maxBytes.get(), budget, clientCount, requestCount);
            assertEquals(List.of(), List.copyOf(errors), "requests that failed");
            assertTrue(maxBytes.get() <= budget, "cache held " + maxBytes.get() + " bytes, budget " + budget);
            assertTrue(s.server.cachedAdapterBytes() <= budget);
        }
    }

    /** Sends one request; returns what was wrong with the answer, or null. */
    private static String oneRequest(ServerFixture s, String kind, String description, int client, int k) {
        String user = "client " + client + " request " + k;
        String expected = FakeEngine.answer(
                kind.equals("chat-base") ? null : new FakeGenerator("ckpt-load", 4, 64, 8).weightsFor(description),
                user);
        try {
            switch (kind) {
                case "adapter" -> {
                    HttpResponse<String> r = s.post("/v1/adapters", "{\"description\": "
                            + ServerFixture.quote(description) + "}");
                    if (r.statusCode() != 200) {
                        return r.statusCode() + " " + r.body();
                    }
                    String id = ServerFixture.json(r.body()).path("id").asText();
                    return id.equals(AdapterIds.idFor(description, "ckpt-load")) ? null : "wrong id " + id;
                }
                case "chat", "chat-base" -> {
                    String model = kind.equals("chat") ? "t2l:" + description : FakeGenerator.BASE;
                    HttpResponse<String> r = s.post("/v1/chat/completions", body(model, user, false));
                    if (r.statusCode() != 200) {
                        return r.statusCode() + " " + r.body();
                    }
                    JsonNode j = ServerFixture.json(r.body());
                    String got = j.path("choices").path(0).path("message").path("content").asText();
                    return got.equals(expected) ? null : "answer '" + got + "', expected '" + expected + "'";
                }
                default -> {
                    HttpResponse<String> r = s.post("/v1/chat/completions", body("t2l:" + description, user, true));
                    if (r.statusCode() != 200) {
                        return r.statusCode() + " " + r.body();
                    }
                    List<String> data = ServerFixture.sseData(r.body());
                    if (!data.get(data.size() - 1).equals("[DONE]")) {
                        return "stream did not end with [DONE]";
                    }
                    StringBuilder got = new StringBuilder();
                    for (String d : data.subList(0, data.size() - 1)) {
                        got.append(ServerFixture.json(d).path("choices").path(0).path("delta").path("content")
                                .asText(""));
                    }
                    return got.toString().equals(expected) ? null : "streamed '" + got + "', expected '" + expected
                            + "'";
                }
            }
        } catch (RuntimeException | AssertionError e) {
            return e.toString();
        }
    }

    private static String body(String model, String user, boolean stream) {
        return "{\"model\": " + ServerFixture.quote(model) + ", \"stream\": " + stream + ", \"max_tokens\": 64,"
                + " \"messages\": [{\"role\": \"user\", \"content\": " + ServerFixture.quote(user) + "}]}";
    }

    private static void report(Map<String, ConcurrentLinkedQueue<Long>> latencies, long wallMs, ServerFixture s,
            FakeGenerator gen, long maxBytes, long budget, int clients, int requests) {
        List<Long> all = new ArrayList<>();
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "%nLoad test: %d clients x %d requests, %d descriptions, fakes, loopback: %d ms wall%n",
                clients, requests, DESCRIPTIONS, wallMs));
        out.append(String.format(Locale.ROOT, "%-12s %6s %9s %9s %9s%n", "kind", "n", "p50 ms", "p99 ms", "max ms"));
        for (String kind : List.of("adapter", "chat", "chat-stream", "chat-base")) {
            List<Long> l = new ArrayList<>(latencies.getOrDefault(kind, new ConcurrentLinkedQueue<>()));
            all.addAll(l);
            out.append(line(kind, l));
        }
        out.append(line("all", all));
        out.append(String.format(Locale.ROOT, "generations %d; cache max %d of %d bytes (%d adapters resident)%n",
                gen.calls.get(), maxBytes, budget, s.getOk("/health").path("adapters_cached").asInt()));
        System.out.println(out);
    }

    static String line(String kind, List<Long> nanos) {
        Collections.sort(nanos);
        return String.format(Locale.ROOT, "%-12s %6d %9.2f %9.2f %9.2f%n", kind, nanos.size(), pct(nanos, 0.50),
                pct(nanos, 0.99), nanos.isEmpty() ? 0 : nanos.get(nanos.size() - 1) / 1e6);
    }

    static double pct(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int i = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(i, sorted.size() - 1))) / 1e6;
    }
}
