package ai.t2l.server;

import static ai.t2l.server.ServerFixture.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** /health, /metrics, /v1/models, the web page and unknown paths. */
@Timeout(120)
class OpsApiTest {
    private final ServerFixture s = ServerFixture.start();

    @AfterEach
    void stop() {
        s.close();
    }

    @Test
    void health() {
        JsonNode h = s.getOk("/health");
        assertEquals("ok", h.path("status").asText());
        assertEquals(FakeGenerator.BASE, h.path("base_model").asText());
        assertEquals("ckpt-a", h.path("checkpoint").asText());
    }

    @Test
    void modelsListsTheBaseModelThenAdapters() {
        String id = s.createAdapter("answer multiple-choice science questions").path("id").asText();
        JsonNode m = s.getOk("/v1/models");
        assertEquals("list", m.path("object").asText());
        assertEquals(FakeGenerator.BASE, m.path("data").path(0).path("id").asText());
        assertEquals("model", m.path("data").path(0).path("object").asText());
        assertEquals(id, m.path("data").path(1).path("id").asText());
        assertEquals(FakeGenerator.BASE, m.path("data").path(1).path("parent").asText());
        assertEquals(id, s.getOk("/v1/models/" + id).path("id").asText());
        assertEquals(FakeGenerator.BASE, s.getOk("/v1/models/" + FakeGenerator.BASE).path("id").asText());
        assertError(s.get("/v1/models/t2l-ffff"), 404, "model_not_found");
    }

    @Test
    void metricsCountRequestsTokensAndAdapters() {
        s.createAdapter("task a");
        s.createAdapter("task a");
        s.postOk("/v1/chat/completions", "{\"model\": \"t2l:task a\", \"messages\": [{\"role\": \"user\", "
                + "\"content\": \"x y\"}]}");
        s.post("/v1/chat/completions", "{");
        HttpResponse<String> r = s.get("/metrics");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        String m = r.body();
        assertEquals(2, metric(m, "t2l_http_requests_total{endpoint=\"/v1/adapters\",method=\"POST\",status=\"200\"}"));
        assertEquals(1, metric(m,
                "t2l_http_requests_total{endpoint=\"/v1/chat/completions\",method=\"POST\",status=\"200\"}"));
        assertEquals(1, metric(m,
                "t2l_http_requests_total{endpoint=\"/v1/chat/completions\",method=\"POST\",status=\"400\"}"));
        assertEquals(5, metric(m, "t2l_completion_tokens_total"));
        assertEquals(1, metric(m, "t2l_adapters_cached"));
        assertEquals(s.generator.bytesPerAdapter(), metric(m, "t2l_adapter_cache_bytes"));
        assertEquals(1, metric(m, "t2l_adapter_cache_misses_total"));
        assertEquals(2, metric(m, "t2l_adapter_cache_hits_total"));
        assertEquals(1, metric(m, "t2l_adapter_generation_seconds_count"));
        assertEquals(2, metric(m, "t2l_http_request_duration_seconds_count{endpoint=\"/v1/adapters\"}"));
        assertEquals(2, metric(m,
                "t2l_http_request_duration_seconds_bucket{endpoint=\"/v1/adapters\",le=\"+Inf\"}"));
        // Every non-comment line is "name{labels} value" or "name value".
        for (String line : m.split("\n")) {
            assertTrue(line.startsWith("# ") || line.matches("[a-z0-9_]+(\\{.*\\})? [0-9.eE+-]+"), line);
        }
    }

    private static long metric(String text, String series) {
        Matcher mt = Pattern.compile("^" + Pattern.quote(series) + " ([0-9.eE+-]+)$", Pattern.MULTILINE).matcher(text);
        assertTrue(mt.find(), "no series " + series + " in\n" + text);
        return (long) Double.parseDouble(mt.group(1));
    }

    @Test
    void pageIsSelfContainedWithStableIds() {
        HttpResponse<String> r = s.get("/");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(r.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'self'"));
        String html = r.body();
        for (String id : List.of("description", "examples", "generate", "gen-status", "gen-time", "download",
                "adapter-id", "chat-input", "send", "base-output", "adapted-output", "max-tokens", "temperature")) {
            assertTrue(html.contains("id=\"" + id + "\""), "page lacks element id " + id);
        }
        assertTrue(html.contains("solve grade-school math word problems step by step"));
        assertTrue(html.contains("write Python functions from docstrings"));
        // No external requests: no absolute URLs in src/href/fetch, no @import.
        assertFalse(Pattern.compile("(src|href)\\s*=\\s*\"(https?:)?//").matcher(html).find(), "external resource");
        assertFalse(html.contains("@import"));
        assertFalse(Pattern.compile("fetch\\(\\s*[\"']https?:").matcher(html).find(), "external fetch");
    }

    @Test
    void unknownPathsAndMethodsGetOpenAiShapedErrors() {
        assertError(s.get("/v1/nothing"), 404, "not_found");
        assertError(s.get("/favicon.ico"), 404, "not_found");
        assertError(s.get("/v1/completionsXYZ"), 404, "not_found");
        assertError(s.get("/v1/chat/completions"), 405, "method_not_allowed");
        assertError(s.post("/health", "{}"), 405, "method_not_allowed");
    }
}
