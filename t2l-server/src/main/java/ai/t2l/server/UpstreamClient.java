package ai.t2l.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * HTTP to the upstream engine with java.net.http (no extra dependency): JSON posts with connect and answer timeouts,
 * and the failures a client can act on turned into a 502 that names the upstream and the reason.
 */
final class UpstreamClient {
    /** An answer: the status and, for a non-2xx status, the body read whole; for 2xx the body is left to the caller. */
    record Answer(int status, String errorBody, InputStream body) {}

    private final UpstreamSettings settings;
    private final HttpClient http;

    UpstreamClient(UpstreamSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().connectTimeout(settings.connectTimeout())
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    String url() {
        return settings.url().toString();
    }

    /** POSTs {@code json} to {@code path}; 2xx answers keep their body open for the caller to read and close. */
    Answer post(String path, JsonNode json) {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url() + path)).timeout(settings.readTimeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.toString(), StandardCharsets.UTF_8));
        if (settings.apiKey() != null) {
            r.header("Authorization", "Bearer " + settings.apiKey());
        }
        HttpResponse<InputStream> res;
        try {
            res = http.send(r.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw ApiException.badGateway("the upstream " + url() + " did not answer " + path + " within "
                    + settings.readTimeout().toSeconds() + " s");
        } catch (ConnectException e) {
            throw ApiException.badGateway("the upstream " + url() + " cannot be reached (" + reason(e) + ")");
        } catch (IOException e) {
            throw ApiException.badGateway("the upstream " + url() + " failed on " + path + " (" + reason(e) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted while waiting for the upstream " + url());
        }
        if (res.statusCode() / 100 == 2) {
            return new Answer(res.statusCode(), null, res.body());
        }
        try (InputStream in = res.body()) {
            // Bounded: an error body is a message, not a stream.
            return new Answer(res.statusCode(), new String(in.readNBytes(64 << 10), StandardCharsets.UTF_8), null);
        } catch (IOException e) {
            return new Answer(res.statusCode(), "(its body could not be read: " + reason(e) + ")", null);
        }
    }

    /** The upstream's own error message from an OpenAI-shaped error body, else the body itself, shortened. */
    static String message(String body) {
        try {
            JsonNode n = Exchanges.JSON.readTree(body);
            JsonNode m = n.path("error").path("message");
            if (m.isTextual()) {
                return m.asText();
            }
            if (n.path("message").isTextual()) { // vLLM's older error shape
                return n.path("message").asText();
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: fall through to the raw text
        }
        String s = body.strip();
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    /** A 502 for a 5xx answer; other statuses keep theirs, with the upstream named. */
    ApiException failure(String what, Answer a) {
        String msg = "the upstream " + url() + " answered " + a.status() + " to " + what + ": "
                + message(a.errorBody());
        if (a.status() >= 500) {
            return ApiException.badGateway(msg);
        }
        return new ApiException(a.status(), "invalid_request_error", "upstream_refused", null, msg);
    }

    private static String reason(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }
}
