package ai.t2l.server;

import static ai.t2l.server.ServerFixture.assertError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(120)
class AdaptersApiTest {
    private final ServerFixture s = ServerFixture.start();

    @AfterEach
    void stop() {
        s.close();
    }

    @Test
    void createReturnsTheSameIdForTheSameNormalisedDescriptionAndGeneratesOnce() {
        JsonNode a = s.createAdapter("solve grade-school math word problems step by step");
        assertTrue(a.path("id").asText().matches("t2l-[0-9a-f]{20}"), a.toString());
        assertEquals("solve grade-school math word problems step by step", a.path("description").asText());
        assertFalse(a.path("cached").asBoolean());
        assertTrue(a.path("created").asLong() > 1_600_000_000L);
        assertTrue(a.has("generation_ms"));
        assertEquals(s.generator.bytesPerAdapter(), a.path("bytes").asLong());

        JsonNode again = s.createAdapter("  solve grade-school\n math   word problems step by step ");
        assertEquals(a.path("id"), again.path("id"));
        assertTrue(again.path("cached").asBoolean());
        assertEquals(a.path("generation_ms"), again.path("generation_ms"), "reports the original generation time");
        assertEquals(1, s.generator.calls.get());

        JsonNode other = s.createAdapter("Solve grade-school math word problems step by step");
        assertFalse(other.path("id").asText().equals(a.path("id").asText()), "case is part of the description");
    }

    @Test
    void idsDependOnTheCheckpoint() {
        String d = "write Python functions from docstrings";
        assertFalse(AdapterIds.idFor(d, "ckpt-a").equals(AdapterIds.idFor(d, "ckpt-b")));
        assertEquals(AdapterIds.idFor(d, "ckpt-a"), AdapterIds.idFor(d, "ckpt-a"));
    }

    @Test
    void concurrentRequestsForOneNewDescriptionShareOneGeneration() throws Exception {
        s.generator.gate = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<JsonNode>> answers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                answers.add(pool.submit(() -> s.createAdapter("answer multiple-choice science questions")));
            }
            // The three that arrive while the first generation is held count as cache hits (they share its result).
            // the first request may not have reached the generator yet: never more than one generation, though
            while (!s.get("/metrics").body().contains("t2l_adapter_cache_hits_total 3")) {
                assertTrue(s.generator.calls.get() <= 1, "generations while the first is held: " + s.generator.calls.get());
            }
            s.generator.gate.countDown();
            String id = answers.get(0).get().path("id").asText();
            for (Future<JsonNode> f : answers) {
                assertEquals(id, f.get().path("id").asText());
            }
            assertEquals(1, s.generator.calls.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void listGetAndDelete() {
        String a = s.createAdapter("task one").path("id").asText();
        String b = s.createAdapter("task two").path("id").asText();
        JsonNode list = s.getOk("/v1/adapters");
        assertEquals("list", list.path("object").asText());
        List<String> ids = new ArrayList<>();
        list.path("data").forEach(n -> ids.add(n.path("id").asText()));
        assertTrue(ids.containsAll(List.of(a, b)) && ids.size() == 2, ids.toString());

        JsonNode one = s.getOk("/v1/adapters/" + a);
        assertEquals("task one", one.path("description").asText());
        assertEquals(FakeGenerator.BASE, one.path("base_model").asText());

        JsonNode deleted = ServerFixture.json(s.delete("/v1/adapters/" + a).body());
        assertTrue(deleted.path("deleted").asBoolean());
        assertError(s.get("/v1/adapters/" + a), 404, "adapter_not_found");
        assertError(s.delete("/v1/adapters/" + a), 404, "adapter_not_found");
        assertEquals(1, s.getOk("/v1/adapters").path("data").size());
    }

    @Test
    void downloadIsAZipOfAPeftFolderWithTheGeneratedWeights(@TempDir Path tmp) throws Exception {
        String description = "write Python functions from docstrings";
        String id = s.createAdapter(description).path("id").asText();
        HttpResponse<byte[]> r = s.http.send(HttpRequest.newBuilder(s.uri("/v1/adapters/" + id + "/download")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertEquals("application/zip", r.headers().firstValue("Content-Type").orElse(""));
        assertTrue(r.headers().firstValue("Content-Disposition").orElse("").contains(id + ".zip"));
        List<String> names = unzip(r.body(), tmp);
        assertEquals(List.of(id + "/adapter_config.json", id + "/adapter_model.safetensors", id + "/task_desc.txt"),
                names);
        Path folder = tmp.resolve(id);
        assertEquals(description, Files.readString(folder.resolve("task_desc.txt")));
        assertEquals(FakeGenerator.BASE,
                ai.t2l.io.Json.read(folder.resolve("adapter_config.json")).path("base_model_name_or_path").asText());
        LoraWeights expected = s.generator.weightsFor(description);
        LoraWeights got = PeftAdapter.read(folder);
        assertEquals(expected.pairs().keySet(), got.pairs().keySet());
        expected.pairs().forEach((site, p) -> {
            assertArrayEquals(p.a().data(), got.pairs().get(site).a().data(), "lora_A of " + site);
            assertArrayEquals(p.b().data(), got.pairs().get(site).b().data(), "lora_B of " + site);
        });
    }

    private static List<String> unzip(byte[] zip, Path into) throws IOException {
        List<String> names = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                names.add(e.getName());
                Path out = into.resolve(e.getName()).normalize();
                assertTrue(out.startsWith(into), "zip entry escapes: " + e.getName());
                Files.createDirectories(out.getParent());
                Files.write(out, in.readAllBytes());
            }
        }
        return names;
    }

    @Test
    void descriptionErrors() {
        assertError(s.post("/v1/adapters", "{}"), 400, "invalid_value");
        assertError(s.post("/v1/adapters", "{\"description\": \"   \"}"), 400, "invalid_value");
        assertError(s.post("/v1/adapters", "{\"description\": 42}"), 400, "invalid_value");
        String tooLong = "x".repeat(ServerLimits.defaults().maxDescriptionChars() + 1);
        JsonNode e = assertError(s.post("/v1/adapters", "{\"description\": \"" + tooLong + "\"}"), 400,
                "invalid_value");
        assertEquals("description", e.path("param").asText());
        assertTrue(e.path("message").asText().contains("at most 2000"), e.toString());
        assertError(s.post("/v1/adapters", "{\"description\": \"REJECT this\"}"), 400, "invalid_value");
        assertEquals(0, s.getOk("/v1/adapters").path("data").size());
    }

    @Test
    void malformedJsonIs400() {
        for (String bad : List.of("{", "not json", "[1,2]", "{\"description\": \"a\"} trailing", "")) {
            JsonNode e = assertError(s.post("/v1/adapters", bad), 400, "invalid_json");
            assertEquals("invalid_request_error", e.path("type").asText());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "..%2F..%2Fetc%2Fpasswd", "%2e%2e", "UPPER", "a_b", "-leading", "x%00y",
            "abc.def"})
    void invalidIdsAreRefusedBeforeAnyLookup(String id) {
        // A NUL byte is refused by the HTTP layer itself (Jetty), still as a JSON 400.
        String code = id.contains("%00") ? "bad_request" : "invalid_value";
        assertError(s.get("/v1/adapters/" + id), 400, code);
        assertError(s.get("/v1/adapters/" + id + "/download"), 400, code);
        assertError(s.delete("/v1/adapters/" + id), 400, code);
    }

    @Test
    void dotDotPathsSentVerbatimNeverLeaveTheCollection() throws IOException {
        // java.net.http may normalise a URI; a raw socket sends exactly these bytes.
        for (String path : List.of("/v1/adapters/../../etc/passwd", "/v1/adapters/..%2f..%2fetc/download")) {
            String status = rawRequest("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            assertTrue(status.startsWith("HTTP/1.1 400"), path + " -> " + status);
        }
    }

    private String rawRequest(String request) throws IOException {
        try (Socket sock = new Socket("127.0.0.1", s.server.port())) {
            sock.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            String all = new String(sock.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return all.lines().findFirst().orElse("");
        }
    }

    @Test
    void wrongMethodIs405() {
        assertError(s.send(HttpRequest.newBuilder(s.uri("/v1/adapters")).method("PUT",
                HttpRequest.BodyPublishers.noBody())), 405, "method_not_allowed");
    }
}
