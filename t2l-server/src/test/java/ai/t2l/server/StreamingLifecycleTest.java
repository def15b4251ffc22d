package ai.t2l.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What happens to a stream when its client leaves, and when the server is asked to stop. */
class StreamingLifecycleTest {
    private static final String ENDLESS = "{\"model\": \"fake-llama\", \"stream\": true, \"max_tokens\": 4000,"
            + " \"messages\": [{\"role\": \"user\", \"content\": \"go\"}]}";

    @Test
    void clientDisconnectMidStreamCancelsGeneration() throws Exception {
        FakeEngine engine = new FakeEngine();
        engine.endless = true;
        engine.tokenDelayMs = 5; // 4000 tokens would take 20 s: cancellation must come long before
        try (ServerFixture s = new ServerFixture(new FakeGenerator(), engine, ServerLimits.defaults(), 1 << 20,
                null)) {
            try (Socket sock = new Socket("127.0.0.1", s.server.port())) {
                byte[] body = ENDLESS.getBytes(StandardCharsets.UTF_8);
                OutputStream out = sock.getOutputStream();
                out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(sock.getInputStream(),
                        StandardCharsets.UTF_8));
                int dataLines = 0;
                for (String line; dataLines < 5 && (line = in.readLine()) != null; ) {
                    if (line.contains("data: ")) {
                        dataLines++;
                    }
                }
                assertEquals(5, dataLines, "the stream started");
            } // closing the socket is the client going away
            assertTrue(engine.cancelled.await(10, TimeUnit.SECONDS), "the engine was told to stop");
            int emitted = engine.tokensEmitted.get();
            assertTrue(emitted < 4000, "generation stopped early, after " + emitted + " tokens");
            Thread.sleep(100);
            assertEquals(emitted, engine.tokensEmitted.get(), "no tokens after cancellation");
            String metrics = s.getOk("/health").toString() + s.get("/metrics").body();
            assertTrue(metrics.contains("t2l_completions_cancelled_total 1"), metrics);
        }
    }

    @Test
    void stopLetsAStreamInFlightFinishAndThenRefusesWork() throws Exception {
        FakeEngine engine = new FakeEngine();
        engine.tokenDelayMs = 200; // "base: you said: a b c d e" = 8 tokens, about 1.6 s
        ServerFixture s = new ServerFixture(new FakeGenerator(), engine, ServerLimits.defaults(), 1 << 20, null);
        String body = "{\"model\": \"fake-llama\", \"stream\": true, \"messages\": [{\"role\": \"user\", "
                + "\"content\": \"a b c d e\"}]}";
        ExecutorService threads = Executors.newFixedThreadPool(2); // not the common pool: it may have one thread
        Future<HttpResponse<String>> inFlight = threads.submit(() -> s.post("/v1/chat/completions", body));
        while (engine.tokensEmitted.get() == 0) {
            Thread.sleep(5);
        }
        Future<?> stopping = threads.submit(() -> s.server.stop(Duration.ofSeconds(10)));
        Thread.sleep(300); // stop() is now draining: the stream still has over a second to go
        ServerFixture.assertError(s.get("/health"), 503, "unavailable");
        HttpResponse<String> r = inFlight.get(10, TimeUnit.SECONDS);
        stopping.get(10, TimeUnit.SECONDS);
        threads.shutdown();
        List<String> data = ServerFixture.sseData(r.body());
        assertEquals("[DONE]", data.get(data.size() - 1), "the stream in flight completed: " + r.body());
        assertEquals(0, engine.cancellations.get());
        try {
            HttpResponse<String> after = s.get("/health");
            throw new AssertionError("server still answering after stop: " + after.statusCode());
        } catch (java.io.UncheckedIOException expected) {
            // connection refused: the listener is closed
        }
    }
}
