package ai.t2l.server;

import static ai.t2l.server.ServerFixture.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class LimitsTest {
    @Test
    void oversizeBodyIs413() {
        ServerLimits limits = ServerLimits.defaults().withMaxBodyBytes(4096);
        try (ServerFixture s = new ServerFixture(new FakeGenerator(), new FakeEngine(), limits, 1 << 20, null)) {
            String big = "{\"description\": \"" + "x".repeat(10_000) + "\"}";
            assertError(s.post("/v1/adapters", big), 413, "request_too_large");
            assertError(s.post("/v1/chat/completions", big), 413, "request_too_large");
            // Without Content-Length (chunked upload) the limit holds while reading.
            HttpResponse<String> chunked = s.send(HttpRequest.newBuilder(s.uri("/v1/adapters")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(
                            () -> new java.io.ByteArrayInputStream(big.getBytes()))));
            assertError(chunked, 413, "request_too_large");
            // The server is still fine afterwards.
            s.createAdapter("small one");
        }
    }

    @Test
    void descriptionLengthLimitIsConfigurable() {
        ServerLimits limits = ServerLimits.defaults().withMaxDescriptionChars(10);
        try (ServerFixture s = new ServerFixture(new FakeGenerator(), new FakeEngine(), limits, 1 << 20, null)) {
            s.createAdapter("short one");
            assertError(s.post("/v1/adapters", "{\"description\": \"longer than ten\"}"), 400, "invalid_value");
            assertError(s.post("/v1/chat/completions", "{\"model\": \"t2l:longer than ten\", \"messages\": "
                    + "[{\"role\": \"user\", \"content\": \"x\"}]}"), 400, "invalid_value");
        }
    }

    @Test
    void generationsBeyondConcurrencyAndQueueAre429() throws Exception {
        ServerLimits limits = ServerLimits.defaults().withGenerations(1, 0);
        FakeGenerator gen = new FakeGenerator();
        gen.gate = new CountDownLatch(1);
        try (ServerFixture s = new ServerFixture(gen, new FakeEngine(), limits, 1 << 20, null)) {
            CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(
                    () -> s.post("/v1/adapters", "{\"description\": \"first task\"}"));
            assertTrue(gen.entered.await(30, TimeUnit.SECONDS), "the first generation holds the only slot");
            var e = assertError(s.post("/v1/adapters", "{\"description\": \"second task\"}"), 429,
                    "too_many_requests");
            assertEquals("rate_limit_error", e.path("type").asText());
            gen.gate.countDown();
            assertEquals(200, first.get().statusCode());
            s.createAdapter("second task"); // the slot is free again
        }
    }

    @Test
    void completionsBeyondConcurrencyAndQueueAre429() throws Exception {
        ServerLimits limits = ServerLimits.defaults().withCompletions(1, 0);
        FakeEngine engine = new FakeEngine();
        engine.holdAfterFirstToken = new CountDownLatch(1);
        try (ServerFixture s = new ServerFixture(new FakeGenerator(), engine, limits, 1 << 20, null)) {
            String body = "{\"model\": \"fake-llama\", \"max_tokens\": 200, \"messages\": [{\"role\": \"user\","
                    + " \"content\": \"x\"}]}";
            CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(
                    () -> s.post("/v1/chat/completions", body));
            assertTrue(engine.firstToken.await(30, TimeUnit.SECONDS), "the first completion holds the only slot");
            assertError(s.post("/v1/chat/completions", body), 429, "too_many_requests");
            engine.holdAfterFirstToken.countDown();
            assertEquals(200, first.get().statusCode());
        }
    }
}
