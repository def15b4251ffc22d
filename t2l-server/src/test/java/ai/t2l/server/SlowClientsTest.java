package ai.t2l.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Clients that are slow on purpose or by accident (issue 10 item 4): half-sent headers and bodies must not starve
 * the server, silent connections are closed, too many connections are refused clearly, and the HTTP layer's own
 * refusals (431, malformed Content-Length) come in the API's JSON shape. Everything on 127.0.0.1, bounded in count.
 */
@Timeout(120)
class SlowClientsTest {
    private static final String CHAT = "{\"model\": \"fake-llama\", \"messages\": [{\"role\": \"user\", \"content\":"
            + " \"hello there\"}]}";

    /** 64 = the worker threads: with the JDK server, 64 such clients stopped /health and chats while they stayed. */
    @Test
    void halfSentRequestsDoNotStarveHealthOrChats() throws Exception {
        try (ServerFixture s = ServerFixture.start()) {
            int workers = ServerLimits.defaults().requestThreads();
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < workers; i++) {
                    slow.add(open(s, "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n")); // headers unfinished
                    slow.add(open(s, "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                            + "application/json\r\nContent-Length: 1000\r\n\r\n{\"model\": ")); // body unfinished
                }
                HttpResponse<String> health = s.send(HttpRequest.newBuilder(s.uri("/health"))
                        .timeout(Duration.ofSeconds(20)).GET());
                assertEquals(200, health.statusCode(), health.body());
                JsonNode chat = s.postOk("/v1/chat/completions", CHAT);
                assertEquals("base: you said: hello there",
                        chat.path("choices").path(0).path("message").path("content").asText());
            } finally {
                for (Socket sock : slow) {
                    sock.close();
                }
            }
        }
    }

    @Test
    void aSilentConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        ServerLimits limits = ServerLimits.defaults().withTimeouts(300, 30_000);
        try (ServerFixture s = new ServerFixture(new FakeGenerator(), new FakeEngine(), limits, 1 << 20, null);
                Socket sock = open(s, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")) {
            sock.setSoTimeout(30_000);
            RawHttp.readAll(sock.getInputStream()); // returns once the server closes; a hang fails at 30 s
        }
    }

    /** The idle timeout is for stalled clients, not for a server that is thinking: a slow answer still arrives. */
    @Test
    void aSlowAnswerIsNotCutByTheIdleTimeout() {
        ServerLimits limits = ServerLimits.defaults().withTimeouts(200, 30_000);
        FakeEngine engine = new FakeEngine();
        engine.tokenDelayMs = 150; // 5 tokens: about 0.75 s without a byte on the wire, several idle timeouts
        try (ServerFixture s = new ServerFixture(new FakeGenerator(), engine, limits, 1 << 20, null)) {
            JsonNode chat = s.postOk("/v1/chat/completions", CHAT);
            assertEquals("base: you said: hello there",
                    chat.path("choices").path(0).path("message").path("content").asText());
        }
    }

    @Test
    void aBodyThatStopsArrivingIs408() throws Exception {
        ServerLimits limits = ServerLimits.defaults().withTimeouts(30_000, 300);
        try (ServerFixture s = new ServerFixture(new FakeGenerator(), new FakeEngine(), limits, 1 << 20, null);
                Socket sock = open(s, "POST /v1/adapters HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                        + "application/json\r\nContent-Length: 100\r\n\r\n{\"description\": ")) {
            sock.setSoTimeout(30_000);
            RawHttp.Answer a = RawHttp.parse(RawHttp.readAll(sock.getInputStream()));
            assertJsonError(a, 408, "request_timeout");
            assertEquals(0, s.generator.calls.get(), "nothing ran for the incomplete request");
        }
    }

    @Test
    void connectionsBeyondTheLimitAreRefusedWithA503() throws Exception {
        ServerLimits limits = ServerLimits.defaults().withMaxConnections(4);
        try (ServerFixture s = new ServerFixture(new FakeGenerator(), new FakeEngine(), limits, 1 << 20, null)) {
            List<Socket> held = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                held.add(open(s, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")); // held open, headers unfinished
            }
            RawHttp.Answer refused = RawHttp.exchange(s.server.port(),
                    "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            JsonNode e = assertJsonError(refused, 503, "unavailable");
            assertTrue(e.path("message").asText().contains("4 open connections"), e.toString());
            for (Socket sock : held) {
                sock.close();
            }
            // Once the server has seen them go, there is room again.
            RawHttp.Answer ok = refused;
            while (ok.status() != 200) {
                ok = RawHttp.exchange(s.server.port(), "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Connection: close\r\n\r\n");
            }
        }
    }

    /** With every worker busy, /health still answers and one request too many is refused, not queued forever. */
    @Test
    void healthAnswersWhileEveryWorkerIsBusy() throws Exception {
        ServerLimits limits = ServerLimits.defaults().withRequestThreads(2).withCompletions(8, 32);
        FakeEngine engine = new FakeEngine();
        engine.holdAfterFirstToken = new CountDownLatch(1);
        try (ServerFixture s = new ServerFixture(new FakeGenerator(), engine, limits, 1 << 20, null)) {
            List<CompletableFuture<HttpResponse<String>>> busy = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                busy.add(CompletableFuture.supplyAsync(() -> s.post("/v1/chat/completions", CHAT)));
            }
            assertTrue(engine.firstToken.await(30, TimeUnit.SECONDS));
            HttpResponse<String> health = s.send(HttpRequest.newBuilder(s.uri("/health"))
                    .timeout(Duration.ofSeconds(20)).GET());
            assertEquals(200, health.statusCode(), health.body());
            engine.holdAfterFirstToken.countDown();
            for (CompletableFuture<HttpResponse<String>> f : busy) {
                assertEquals(200, f.get(30, TimeUnit.SECONDS).statusCode());
            }
        }
    }

    @Test
    void fiveThousandHeadersAre431InJson() {
        try (ServerFixture s = ServerFixture.start()) {
            StringBuilder req = new StringBuilder("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            for (int i = 0; i < 5000; i++) {
                req.append("X-Header-").append(i).append(": v\r\n");
            }
            req.append("Connection: close\r\n\r\n");
            assertJsonError(RawHttp.exchange(s.server.port(), req.toString()), 431,
                    "request_header_fields_too_large");
            assertEquals(200, s.get("/health").statusCode(), "still serving");
        }
    }

    @Test
    void malformedContentLengthIsAJson400() {
        try (ServerFixture s = ServerFixture.start()) {
            for (String lengths : List.of("Content-Length: -1\r\n", "Content-Length: 5\r\nContent-Length: 6\r\n",
                    "Content-Length: abc\r\n")) {
                RawHttp.Answer a = RawHttp.exchange(s.server.port(), "POST /v1/adapters HTTP/1.1\r\nHost: 127.0.0.1"
                        + "\r\nContent-Type: application/json\r\n" + lengths + "Connection: close\r\n\r\n{}");
                assertJsonError(a, 400, "bad_request");
            }
            assertEquals(0, s.generator.calls.get());
        }
    }

    private static JsonNode assertJsonError(RawHttp.Answer a, int status, String code) {
        assertEquals(status, a.status(), () -> "answer: " + a.head() + "\n\n" + a.body());
        assertTrue(a.head().toLowerCase().contains("content-type: application/json"), a.head());
        JsonNode e = HttpFixture.json(a.body()).path("error");
        assertEquals(code, e.path("code").asText(), a.body());
        assertTrue(e.has("message") && e.has("type") && e.has("param"), a.body());
        return e;
    }

    private static Socket open(ServerFixture s, String partial) throws IOException {
        Socket sock = new Socket("127.0.0.1", s.server.port());
        OutputStream out = sock.getOutputStream();
        out.write(partial.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return sock;
    }
}
