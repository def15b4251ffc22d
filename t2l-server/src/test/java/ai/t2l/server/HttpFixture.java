package ai.t2l.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A real java.net.http client for a server under test, and the checks every API test shares. */
abstract class HttpFixture implements AutoCloseable {
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** When set, every request sends {@code Authorization: Bearer <apiKey>}. */
    volatile String apiKey;

    abstract T2lServer server();

    URI uri(String path) {
        return URI.create(server().url() + path);
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    HttpResponse<String> delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    HttpResponse<String> post(String path, String body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            if (apiKey != null) {
                request.setHeader("Authorization", "Bearer " + apiKey);
            }
            return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** POSTs and checks the status, returning the parsed JSON body. */
    JsonNode postOk(String path, String body) {
        HttpResponse<String> r = post(path, body);
        assertEquals(200, r.statusCode(), () -> "POST " + path + " " + body + " answered " + r.body());
        return json(r.body());
    }

    JsonNode getOk(String path) {
        HttpResponse<String> r = get(path);
        assertEquals(200, r.statusCode(), () -> "GET " + path + " answered " + r.body());
        return json(r.body());
    }

    JsonNode createAdapter(String description) {
        return postOk("/v1/adapters", "{\"description\": " + quote(description) + "}");
    }

    static JsonNode json(String s) {
        try {
            return Exchanges.JSON.readTree(s);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }

    static String quote(String s) {
        try {
            return Exchanges.JSON.writeValueAsString(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The data payloads of a server-sent event stream, checking the framing on the way. */
    static List<String> sseData(String body) {
        List<String> out = new ArrayList<>();
        for (String event : body.split("\n\n")) {
            if (event.isEmpty()) {
                continue;
            }
            if (!event.startsWith("data: ") || event.contains("\n")) {
                throw new AssertionError("bad SSE event framing: '" + event + "' in " + body);
            }
            out.add(event.substring("data: ".length()));
        }
        return out;
    }

    /** Asserts an OpenAI-shaped error with this status and code; returns the error object. */
    static JsonNode assertError(HttpResponse<String> r, int status, String code) {
        assertEquals(status, r.statusCode(), () -> "unexpected status; body " + r.body());
        JsonNode e = json(r.body()).path("error");
        assertEquals(code, e.path("code").asText(), () -> "error code in " + r.body());
        for (String f : List.of("message", "type", "param", "code")) {
            if (!e.has(f)) {
                throw new AssertionError("error object lacks '" + f + "': " + r.body());
            }
        }
        if (e.path("message").asText().isBlank()) {
            throw new AssertionError("error without a message: " + r.body());
        }
        return e;
    }

}
