package ai.t2l.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Requests a web page in the user's browser could make to a server on localhost (issue 10 item 5): a simple
 * cross-site POST (text/plain, foreign Origin), DNS rebinding (a foreign Host name), and the optional API key.
 */
@Timeout(120)
class CrossSiteTest {
    private static final String ADAPTER = "{\"description\": \"attack\"}";

    private static String post(int port, String host, String origin, String contentType, String extra) {
        return "POST /v1/adapters HTTP/1.1\r\nHost: " + host + "\r\n"
                + (origin == null ? "" : "Origin: " + origin + "\r\n")
                + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n") + extra
                + "Content-Length: " + ADAPTER.length() + "\r\nConnection: close\r\n\r\n" + ADAPTER;
    }

    @Test
    void aCrossSiteSimplePostIsNotExecuted() {
        try (ServerFixture s = ServerFixture.start()) {
            int port = s.server.port();
            String self = "127.0.0.1:" + port;
            // What <form> or fetch(no-cors) on another site sends: a foreign Origin and a "simple" content type.
            RawHttp.Answer a = RawHttp.exchange(port, post(port, self, "http://evil.example", "text/plain", ""));
            assertError(a, 403, "origin_not_allowed");
            a = RawHttp.exchange(port, post(port, self, "null", "application/json", ""));
            assertError(a, 403, "origin_not_allowed");
            // Without an Origin (curl, scripts) the content type alone refuses it.
            for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data")) {
                assertError(RawHttp.exchange(port, post(port, self, null, type, "")), 415, "unsupported_media_type");
            }
            assertError(RawHttp.exchange(port, post(port, self, null, null, "")), 415, "unsupported_media_type");
            assertEquals(0, s.generator.calls.get(), "no adapter was generated");
            // The page itself (same origin, JSON) works.
            RawHttp.Answer ok = RawHttp.exchange(port, post(port, self, "http://" + self, "application/json; "
                    + "charset=utf-8", ""));
            assertEquals(200, ok.status(), ok.body());
        }
    }

    @Test
    void dnsRebindingIsRefusedByTheHostName() {
        try (ServerFixture s = ServerFixture.start()) {
            int port = s.server.port();
            String evil = "rebind.evil.example:" + port;
            // After rebinding, the attacker's page is same-origin with itself: only the Host name gives it away.
            RawHttp.Answer a = RawHttp.exchange(port, post(port, evil, "http://" + evil, "application/json", ""));
            assertError(a, 403, "host_not_allowed");
            a = RawHttp.exchange(port, "GET /v1/adapters HTTP/1.1\r\nHost: " + evil + "\r\nConnection: close\r\n\r\n");
            assertError(a, 403, "host_not_allowed");
            assertEquals(0, s.generator.calls.get());
            for (String host : List.of("localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port)) {
                a = RawHttp.exchange(port, "GET /v1/models HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
                assertEquals(200, a.status(), host + ": " + a.body());
            }
        }
    }

    @Test
    void configuredHostNamesAreAccepted() {
        try (ServerFixture s = new ServerFixture(new FakeGenerator(), new FakeEngine(), ServerLimits.defaults(),
                1 << 20, null, b -> b.allowedHosts(List.of("t2l.lan")))) {
            RawHttp.Answer a = RawHttp.exchange(s.server.port(), "GET /v1/models HTTP/1.1\r\nHost: T2L.lan:"
                    + s.server.port() + "\r\nConnection: close\r\n\r\n");
            assertEquals(200, a.status(), a.body());
        }
    }

    @Test
    void anApiKeyGuardsEverythingButHealthAndThePage() throws Exception {
        try (ServerFixture s = new ServerFixture(new FakeGenerator(), new FakeEngine(), ServerLimits.defaults(),
                1 << 20, null, b -> b.apiKey("sk-test-123"))) {
            HttpResponse<String> none = s.get("/v1/models");
            JsonNode e = HttpFixture.assertError(none, 401, "invalid_api_key");
            assertTrue(e.path("message").asText().contains("Authorization: Bearer"), e.toString());
            assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElse(""));
            HttpFixture.assertError(s.send(HttpRequest.newBuilder(s.uri("/v1/models"))
                    .header("Authorization", "Bearer sk-test-124")), 401, "invalid_api_key");
            HttpFixture.assertError(s.post("/v1/adapters", ADAPTER), 401, "invalid_api_key");
            HttpFixture.assertError(s.get("/metrics"), 401, "invalid_api_key");
            assertEquals(0, s.generator.calls.get());

            assertEquals(200, s.send(HttpRequest.newBuilder(s.uri("/v1/models"))
                    .header("Authorization", "Bearer sk-test-123")).statusCode());
            assertEquals(200, s.send(HttpRequest.newBuilder(s.uri("/v1/adapters"))
                    .header("Authorization", "bearer sk-test-123").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(ADAPTER))).statusCode());
            assertEquals(200, s.get("/health").statusCode());
            assertEquals(200, s.get("/").statusCode());
        }
    }

    private static void assertError(RawHttp.Answer a, int status, String code) {
        assertEquals(status, a.status(), () -> a.head() + "\n\n" + a.body());
        assertEquals(code, HttpFixture.json(a.body()).path("error").path("code").asText(), a.body());
    }
}
