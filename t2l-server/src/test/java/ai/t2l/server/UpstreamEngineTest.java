package ai.t2l.server;

import static ai.t2l.server.HttpFixture.json;
import static ai.t2l.server.HttpFixture.quote;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code t2l serve --upstream} (issue 11 item 2) for real: the upstream is a second in-JVM server with the real
 * engine on the tiny model and the dynamic-LoRA API on (as {@code t2l serve --allow-runtime-lora}), the front makes
 * adapters with the same hypernetwork and proxies to it. A front's answers must equal the upstream's own answers to the same {@code t2l:} request, which
 * is what a single server answers.
 */
@Timeout(300)
class UpstreamEngineTest {
    private static final String DESC = "Answer the question in one word.";
    private static final String OTHER = "Translate the sentence into French.";
    private static ServingStack stack;

    @TempDir
    Path shared;

    @BeforeAll
    static void open() {
        stack = TinyWorld.stack(8);
    }

    @AfterAll
    static void close() {
        if (stack != null) {
            stack.close();
        }
    }

    /** A server on {@code port} (0: any) with this test's stack, as `t2l serve --allow-runtime-lora` builds it. */
    private static Server upstream(int port) {
        return new Server(T2lServer.builder().port(port).engine(stack.engine()).runtimeLoraUpdating(true));
    }

    private Server front(Server upstream, UnaryOperator<UpstreamSettings> settings) {
        UpstreamSettings s = settings.apply(UpstreamSettings.of(URI.create(upstream.server().url()), shared, null,
                null));
        return new Server(T2lServer.builder().port(0).engine(new UpstreamEngine(s, TinyWorld.BASE)));
    }

    private Server front(Server upstream) {
        return front(upstream, s -> s);
    }

    @Test
    void frontAnswersEqualTheUpstreamsOwnWholeAndStreamed() {
        try (Server up = upstream(0); Server front = front(up)) {
            String model = "t2l:" + DESC;
            HttpResponse<String> viaFront = front.post("/v1/chat/completions", chat(model, false));
            assertEquals(200, viaFront.statusCode(), viaFront.body());
            String id = viaFront.headers().firstValue("X-T2L-Adapter").orElseThrow();
            JsonNode direct = up.postOk("/v1/chat/completions", chat(model, false));
            JsonNode proxied = json(viaFront.body());
            assertFalse(text(direct).isEmpty(), direct.toString());
            assertEquals(text(direct), text(proxied), "same adapter, same seeded answer");
            assertEquals(direct.path("usage"), proxied.path("usage"));
            assertEquals(finish(direct), finish(proxied));
            assertEquals(model, proxied.path("model").asText(), "the client sees the model it asked for");
            assertTrue(loadedOn(up).contains(UpstreamAdapters.NAME_PREFIX + id), loadedOn(up).toString());

            Streamed s1 = streamed(up, model);
            Streamed s2 = streamed(front, model);
            assertEquals(text(direct), s2.text, "streamed through the front = the whole answer");
            assertEquals(s1.text, s2.text);
            assertEquals(s1.finish, s2.finish);

            // The base model and raw completions pass through too.
            assertEquals(text(up.postOk("/v1/chat/completions", chat(TinyWorld.BASE, false))),
                    text(front.postOk("/v1/chat/completions", chat(TinyWorld.BASE, false))));
            String completion = "{\"model\": " + quote(model) + ", \"prompt\": \"once upon\", \"max_tokens\": 8,"
                    + " \"temperature\": 0}";
            assertEquals(up.postOk("/v1/completions", completion).path("choices").path(0).path("text"),
                    front.postOk("/v1/completions", completion).path("choices").path(0).path("text"));
            assertEquals(1, loadedOn(up).size(), "loaded once however often it is used: " + loadedOn(up));
        }
    }

    @Test
    void upstreamDownIsA502NamingItThenARestartedUpstreamGetsTheAdapterAgain() {
        String model = "t2l:" + DESC;
        Server up = upstream(0);
        int port = up.server().port();
        try (Server front = front(up)) {
            String before;
            try {
                before = text(front.postOk("/v1/chat/completions", chat(model, false)));
                assertFalse(before.isEmpty());
            } finally {
                up.close();
            }
            for (boolean stream : new boolean[] {false, true}) {
                HttpResponse<String> down = front.post("/v1/chat/completions", chat(model, stream));
                JsonNode e = HttpFixture.assertError(down, 502, "upstream_error");
                String msg = e.path("message").asText();
                assertTrue(msg.contains("127.0.0.1:" + port) && msg.contains("cannot be reached"), msg);
            }
            try (Server again = upstream(port)) {
                assertTrue(loadedOn(again).isEmpty(), "a restarted upstream has forgotten its adapters");
                assertEquals(before, text(front.postOk("/v1/chat/completions", chat(model, false))),
                        "recovered, with the adapter loaded again");
                assertEquals(1, loadedOn(again).size(), loadedOn(again).toString());
                assertEquals(before, streamed(front, model).text);
            }
        }
    }

    @Test
    void upstream5xxIsA502WithItsMessage() throws IOException {
        HttpServer broken = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        broken.createContext("/", ex -> {
            byte[] b = "{\"error\": {\"message\": \"CUDA out of memory\"}}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(500, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        broken.start();
        UpstreamSettings s = UpstreamSettings.of(URI.create("http://127.0.0.1:" + broken.getAddress().getPort()),
                shared, null, null);
        try (Server front = new Server(T2lServer.builder().port(0).engine(new UpstreamEngine(s, TinyWorld.BASE)))) {
            for (String model : List.of(TinyWorld.BASE, "t2l:" + DESC)) {
                for (boolean stream : new boolean[] {false, true}) {
                    JsonNode e = HttpFixture.assertError(front.post("/v1/chat/completions", chat(model, stream)),
                            502, "upstream_error");
                    String msg = e.path("message").asText();
                    assertTrue(msg.contains(s.url().toString()) && msg.contains("500")
                            && msg.contains("CUDA out of memory"), msg);
                }
            }
        } finally {
            broken.stop(0);
        }
    }

    @Test
    void theLeastRecentlyUsedAdapterIsUnloadedPastTheLimitAndAnotherFrontsLoadCounts() {
        try (Server up = upstream(0); Server front = front(up, s -> s.withMaxLoaded(1))) {
            String a = front.post("/v1/chat/completions", chat("t2l:" + DESC, false)).headers()
                    .firstValue("X-T2L-Adapter").orElseThrow();
            String b = front.post("/v1/chat/completions", chat("t2l:" + OTHER, false)).headers()
                    .firstValue("X-T2L-Adapter").orElseThrow();
            assertEquals(List.of(UpstreamAdapters.NAME_PREFIX + b), loadedOn(up), "the first was unloaded");
            // A second front (say, restarted) finds the adapter already there: vLLM's 400 "already loaded" is fine.
            try (Server second = front(up)) {
                assertEquals(text(front.postOk("/v1/chat/completions", chat("t2l:" + OTHER, false))),
                        text(second.postOk("/v1/chat/completions", chat("t2l:" + OTHER, false))));
            }
            assertFalse(loadedOn(up).contains(UpstreamAdapters.NAME_PREFIX + a));
        }
    }

    /** A name the front does not know (an adapter loaded on the upstream directly) passes through. */
    @Test
    void aModelOnlyTheUpstreamKnowsPassesThrough() {
        Path dir = shared.resolve("loaded-upstream-side");
        ai.t2l.lora.PeftAdapter.write(dir, stack.generator().generate("write a haiku"), TinyWorld.BASE, null, false);
        try (Server up = upstream(0); Server front = front(up)) {
            HttpResponse<String> load = up.post("/v1/load_lora_adapter", "{\"lora_name\": \"haiku\", \"lora_path\": "
                    + quote(dir.toString()) + "}");
            assertEquals(200, load.statusCode(), load.body());
            String direct = text(up.postOk("/v1/chat/completions", chat("haiku", false)));
            assertFalse(direct.isEmpty());
            assertEquals(direct, text(front.postOk("/v1/chat/completions", chat("haiku", false))));
            HttpFixture.assertError(front.post("/v1/chat/completions", chat("nobody-has-this", false)), 404,
                    "upstream_refused");
        }
    }

    /** An upstream that stops sending in the middle of a stream is cut off after the read timeout: a 502. */
    @Test
    void anUpstreamThatStallsMidAnswerIsCutOff() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        HttpServer stalling = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        stalling.createContext("/", ex -> {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            ex.getResponseBody().write(("data: {\"choices\": [{\"index\": 0, \"delta\": {\"content\": \"par\"}}]}"
                    + "\n\n").getBytes(StandardCharsets.UTF_8));
            ex.getResponseBody().flush();
            try {
                release.await(); // stalls until the test ends
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        stalling.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        stalling.start();
        UpstreamSettings s = UpstreamSettings.of(URI.create("http://127.0.0.1:" + stalling.getAddress().getPort()),
                shared, null, null);
        s = new UpstreamSettings(s.url(), s.adapterDir(), null, null, 4, Duration.ofSeconds(5), Duration.ofSeconds(1));
        try (Server front = new Server(T2lServer.builder().port(0).engine(new UpstreamEngine(s, TinyWorld.BASE)))) {
            JsonNode e = HttpFixture.assertError(front.post("/v1/chat/completions", chat(TinyWorld.BASE, false)),
                    502, "upstream_error");
            assertTrue(e.path("message").asText().contains("sent nothing for 1 s"), e.toString());
        } finally {
            release.countDown();
            stalling.stop(0);
        }
    }

    /** Our upstream refuses a too-long prompt inside its stream; the front still answers the client's 400. */
    @Test
    void aRequestTheUpstreamRefusesMidStreamIsA400NotA502() {
        try (Server up = upstream(0); Server front = front(up)) {
            String body = "{\"model\": " + quote(TinyWorld.BASE) + ", \"prompt\": " + quote("x".repeat(300))
                    + ", \"max_tokens\": 4}";
            String direct = HttpFixture.assertError(up.post("/v1/completions", body), 400, "invalid_value")
                    .path("message").asText();
            for (boolean stream : new boolean[] {false, true}) {
                String viaFront = HttpFixture.assertError(front.post("/v1/completions", body.replace("}",
                        ", \"stream\": " + stream + "}")), 400, "invalid_value").path("message").asText();
                assertTrue(viaFront.contains("refused the request: " + direct), viaFront);
            }
        }
    }

    @Test
    void aScaleVllmCannotApplyIsRefusedBeforeAnythingStarts() {
        try (Server up = upstream(0); Server front = front(up)) {
            String body = "{\"model\": " + quote("t2l:" + DESC) + ", \"lora_scale\": 0.5, \"messages\": [{\"role\":"
                    + " \"user\", \"content\": \"hi\"}]}";
            JsonNode e = HttpFixture.assertError(front.post("/v1/chat/completions", body), 400, "invalid_value");
            assertTrue(e.path("message").asText().contains("lora_scale"), e.toString());
            assertTrue(loadedOn(up).isEmpty(), loadedOn(up).toString());
        }
    }

    private static String chat(String model, boolean stream) {
        // Sampled with a seed (the tiny random model often ends at once when greedy): equal answers then also show
        // that the seed and temperature reach the upstream.
        return "{\"model\": " + quote(model) + ", \"temperature\": 1, \"seed\": 7, \"max_tokens\": 12, \"stream\": "
                + stream
                + ", \"messages\": [{\"role\": \"user\", \"content\": \"what is two plus two\"}]}";
    }

    private static String text(JsonNode completion) {
        return completion.path("choices").path(0).path("message").path("content").asText();
    }

    private static String finish(JsonNode completion) {
        return completion.path("choices").path(0).path("finish_reason").asText();
    }

    private record Streamed(String text, String finish) {}

    private static Streamed streamed(Server s, String model) {
        HttpResponse<String> r = s.post("/v1/chat/completions", chat(model, true));
        assertEquals(200, r.statusCode(), r.body());
        List<String> data = HttpFixture.sseData(r.body());
        assertEquals("[DONE]", data.get(data.size() - 1), r.body());
        StringBuilder text = new StringBuilder();
        String finish = null;
        for (String d : data.subList(0, data.size() - 1)) {
            JsonNode c = json(d).path("choices").path(0);
            text.append(c.path("delta").path("content").asText(""));
            if (c.path("finish_reason").isTextual()) {
                finish = c.path("finish_reason").asText();
            }
        }
        return new Streamed(text.toString(), finish);
    }

    /** The adapters a front loaded on the upstream (its /v1/models lists them by name beside its own). */
    private static List<String> loadedOn(Server up) {
        List<String> names = new ArrayList<>();
        up.getOk("/v1/models").path("data").forEach(m -> names.add(m.path("id").asText()));
        names.removeIf(n -> !n.startsWith(UpstreamAdapters.NAME_PREFIX));
        return names;
    }

    /** A started server with the shared stack's generator (and its engine unless the builder has one). */
    private static final class Server extends HttpFixture {
        private final T2lServer server;

        Server(T2lServer.Builder b) {
            b.generator(stack.generator()).limits(ServerLimits.defaults().withMaxTokens(64).withDefaultMaxTokens(16))
                    .cacheBudgetBytes(64L << 20).shutdownGrace(Duration.ofSeconds(1));
            try {
                server = b.build().start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        T2lServer server() {
            return server;
        }

        @Override
        public void close() {
            server.stop(Duration.ofSeconds(1));
        }
    }
}
