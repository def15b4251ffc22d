package ai.t2l.server;

import static ai.t2l.server.HttpFixture.json;
import static ai.t2l.server.HttpFixture.quote;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The API over HTTP with the real hypernetwork and transformer (tiny random model, bundled bge-small encoder). */
@Timeout(300)
class RealEngineApiTest {
    static RealServer s;

    @BeforeAll
    static void start() {
        s = RealServer.start();
    }

    @AfterAll
    static void stop() {
        if (s != null) {
            s.close();
        }
    }

    @Test
    void adapterIsGeneratedCachedListedAndDownloadedAsAPeftFolder() throws IOException {
        JsonNode a = s.createAdapter("Reverse   the letters of each word. ");
        String id = a.path("id").asText();
        assertTrue(id.matches("t2l-[0-9a-f]{20}"), id);
        assertEquals("Reverse the letters of each word.", a.path("description").asText());
        assertTrue(a.path("bytes").asLong() > 0, a.toString());
        JsonNode again = s.createAdapter("Reverse the letters of each word.");
        assertEquals(id, again.path("id").asText(), "same normalised description, same id");
        assertTrue(again.path("cached").asBoolean(), again.toString());
        assertEquals(id, s.getOk("/v1/adapters/" + id).path("id").asText());
        assertTrue(s.getOk("/v1/adapters").toString().contains(id));

        HttpResponse<byte[]> zip = sendBytes("/v1/adapters/" + id + "/download");
        assertEquals(200, zip.statusCode());
        Set<String> names = new TreeSet<>();
        String config = null;
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip.body()))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                names.add(e.getName());
                if (e.getName().endsWith("/adapter_config.json")) {
                    config = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                }
            }
        }
        // issue 11.4: the base is the model folder PEFT/vLLM can resolve, not the API's name ("t2l-miniature")
        String base = json(config).path("base_model_name_or_path").asText();
        assertTrue(java.nio.file.Path.of(base).isAbsolute() && java.nio.file.Files.isDirectory(java.nio.file.Path.of(base)),
                "base_model_name_or_path " + base);
        assertEquals(Set.of(id + "/adapter_config.json", id + "/adapter_model.safetensors", id + "/task_desc.txt"),
                names);
    }

    @Test
    void chatWithAnAdapterMadeOnTheFly() {
        String body = "{\"model\": \"t2l:spell every word backwards\", \"max_tokens\": 12, \"temperature\": 0,"
                + " \"messages\": [{\"role\": \"user\", \"content\": \"hello there\"}]}";
        HttpResponse<String> r = s.post("/v1/chat/completions", body);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("X-T2L-Adapter").orElse("").startsWith("t2l-"));
        JsonNode j = json(r.body());
        JsonNode choice = j.path("choices").path(0);
        assertEquals("assistant", choice.path("message").path("role").asText());
        String text = choice.path("message").path("content").asText();
        int completion = j.path("usage").path("completion_tokens").asInt();
        assertTrue(completion >= 1 && completion <= 12, j.toString());
        // Greedy and seeded: the same request gives the same text.
        assertEquals(text, json(s.post("/v1/chat/completions", body).body()).path("choices").path(0)
                .path("message").path("content").asText());
        if (choice.path("finish_reason").asText().equals("length")) {
            assertEquals(12, completion, j.toString());
        }
        // <s> <|user|> hello there <|end|> <|assistant|>: four special tokens and one per character.
        assertEquals(4 + "hello there".length(), j.path("usage").path("prompt_tokens").asInt());
    }

    @Test
    void streamedChatEqualsTheWholeAnswer() {
        String msg = "[{\"role\": \"user\", \"content\": \"count to five\"}]";
        String whole = s.postOk("/v1/chat/completions", "{\"model\": \"t2l:count upwards\", \"max_tokens\": 10,"
                + " \"temperature\": 0, \"messages\": " + msg + "}").path("choices").path(0)
                .path("message").path("content").asText();
        HttpResponse<String> r = s.post("/v1/chat/completions", "{\"model\": \"t2l:count upwards\", \"max_tokens\": 10,"
                + " \"temperature\": 0, \"stream\": true, \"messages\": " + msg + "}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("text/event-stream", r.headers().firstValue("Content-Type").orElse("").split(";")[0]);
        List<String> data = HttpFixture.sseData(r.body());
        assertEquals("[DONE]", data.get(data.size() - 1));
        StringBuilder streamed = new StringBuilder();
        String finish = null;
        for (String d : data.subList(0, data.size() - 1)) {
            JsonNode c = json(d).path("choices").path(0);
            streamed.append(c.path("delta").path("content").asText(""));
            finish = c.path("finish_reason").isNull() ? finish : c.path("finish_reason").asText();
        }
        assertEquals(whole, streamed.toString());
        assertTrue(Set.of("stop", "length").contains(finish), "finish " + finish);
    }

    @Test
    void textCompletionOnTheBaseModelWithSampling() {
        JsonNode j = s.postOk("/v1/completions", "{\"model\": " + quote(TinyWorld.BASE) + ", \"prompt\": \"abc\","
                + " \"max_tokens\": 8, \"temperature\": 0.8, \"top_p\": 0.9, \"seed\": 7}");
        String text = j.path("choices").path(0).path("text").asText();
        assertEquals(text, s.postOk("/v1/completions", "{\"model\": " + quote(TinyWorld.BASE) + ", \"prompt\":"
                + " \"abc\", \"max_tokens\": 8, \"temperature\": 0.8, \"top_p\": 0.9, \"seed\": 7}")
                .path("choices").path(0).path("text").asText(), "same seed, same text");
    }

    @Test
    void modelsAndMetricsReportTheRealBaseAndAdapters() {
        String id = s.createAdapter("answer in capital letters").path("id").asText();
        JsonNode models = s.getOk("/v1/models");
        assertEquals(TinyWorld.BASE, models.path("data").path(0).path("id").asText());
        assertTrue(models.toString().contains(id));
        s.postOk("/v1/chat/completions", "{\"model\": " + quote(id) + ", \"max_tokens\": 4,"
                + " \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
        String metrics = s.get("/metrics").body();
        for (String name : List.of("t2l_http_requests_total", "t2l_completion_tokens_total", "t2l_adapters_cached")) {
            assertTrue(metrics.contains(name), name + " missing from /metrics:\n" + metrics);
        }
        assertEquals(TinyWorld.BASE, s.getOk("/health").path("base_model").asText());
    }

    /** Concurrent requests with different adapters are decoded together; each must get its own answer. */
    @Test
    void concurrentRequestsWithDifferentAdaptersGetTheirOwnAnswers() throws Exception {
        List<String> models = List.of("t2l:sort the letters", TinyWorld.BASE, "t2l:repeat each word twice",
                "t2l:sort the letters", TinyWorld.BASE, "t2l:uppercase the input");
        List<String> alone = new ArrayList<>();
        for (String m : models) {
            alone.add(answer(m));
        }
        ExecutorService pool = Executors.newFixedThreadPool(models.size());
        try {
            List<Future<String>> together = new ArrayList<>();
            for (String m : models) {
                together.add(pool.submit(() -> answer(m)));
            }
            for (int i = 0; i < models.size(); i++) {
                assertEquals(alone.get(i), together.get(i).get(60, TimeUnit.SECONDS), "answer for " + models.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aPromptLongerThanTheContextIsA400() {
        HttpResponse<String> r = s.post("/v1/completions", "{\"model\": " + quote(TinyWorld.BASE) + ", \"prompt\": "
                + quote("x".repeat(300)) + ", \"max_tokens\": 4}");
        HttpFixture.assertError(r, 400, "invalid_value");
    }

    private static String answer(String model) {
        return s.postOk("/v1/chat/completions", "{\"model\": " + quote(model) + ", \"max_tokens\": 16,"
                + " \"temperature\": 0, \"messages\": [{\"role\": \"user\", \"content\": \"the quick brown fox\"}]}")
                .path("choices").path(0).path("message").path("content").asText();
    }

    private static HttpResponse<byte[]> sendBytes(String path) {
        try {
            return s.http.send(HttpRequest.newBuilder(s.uri(path)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
