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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What happens to a stream when its client leaves, and when the server is asked to stop. */
@Timeout(120)
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
                out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
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
            // The fake returns as soon as its sink says stop, so the count read after the latch is final.
            int emitted = engine.tokensEmitted.get();
            assertTrue(emitted < 4000, "generation stopped early, after " + emitted + " tokens");
            String metrics = s.getOk("/health").toString() + s.get("/metrics").body();
            assertTrue(metrics.contains("t2l_completions_cancelled_total 1"), metrics);
        }
    }

    @Test
    void stopLetsAStreamInFlightFinishAndThenRefusesWork() throws Exception {
        FakeEngine engine = new FakeEngine();
        engine.holdAfterFirstToken = new CountDownLatch(1); // the stream stays in flight until the test says so
        ServerFixture s = new ServerFixture(new FakeGenerator(), engine, ServerLimits.defaults(), 1 << 20, null);
        String body = "{\"model\": \"fake-llama\", \"stream\": true, \"messages\": [{\"role\": \"user\", "
                + "\"content\": \"a b c d e\"}]}";
        ExecutorService threads = Executors.newFixedThreadPool(2); // not the common pool: it may have one thread
        Future<HttpResponse<String>> inFlight = threads.submit(() -> s.post("/v1/chat/completions", body));
        assertTrue(engine.firstToken.await(30, TimeUnit.SECONDS), "the stream started");
        Future<?> stopping = threads.submit(() -> s.server.stop(Duration.ofSeconds(30)));
        // stop() drains in its own thread; /health turns 503 once it has begun, while the stream is still held.
        HttpResponse<String> health = s.get("/health");
        while (health.statusCode() == 200) {
            health = s.get("/health");
        }
        ServerFixture.assertError(health, 503, "unavailable");
        engine.holdAfterFirstToken.countDown();
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
