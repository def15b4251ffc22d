package ai.t2l.server;

import static ai.t2l.server.ServerFixture.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The persistence folder: adapters survive a restart, evicted ones come back from disk, bad entries stay out. */
@Timeout(120)
class PersistenceTest {
    @TempDir
    Path dir;

    private ServerFixture start(FakeGenerator gen, long budget) {
        return new ServerFixture(gen, new FakeEngine(), ServerLimits.defaults(), budget, dir);
    }

    private static String chat(String model) {
        return "{\"model\": \"" + model + "\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}";
    }

    @Test
    void adaptersSurviveARestartWithoutRegenerating() throws Exception {
        FakeGenerator gen = new FakeGenerator();
        String a;
        String b;
        try (ServerFixture s = start(gen, 1 << 20)) {
            a = s.createAdapter("solve grade-school math word problems step by step").path("id").asText();
            b = s.createAdapter("write Python functions from docstrings").path("id").asText();
        }
        assertTrue(Files.isRegularFile(dir.resolve(AdapterStore.INDEX)));
        assertTrue(Files.isRegularFile(dir.resolve(a).resolve("adapter_model.safetensors")));

        FakeGenerator fresh = new FakeGenerator();
        try (ServerFixture s = start(fresh, 1 << 20)) {
            List<String> ids = new ArrayList<>();
            s.getOk("/v1/adapters").path("data").forEach(n -> ids.add(n.path("id").asText()));
            assertEquals(List.of(a, b), ids);
            JsonNode again = s.createAdapter("solve grade-school math word problems step by step");
            assertTrue(again.path("cached").asBoolean());
            String answer = s.postOk("/v1/chat/completions", chat(b)).path("choices").path(0).path("message")
                    .path("content").asText();
            assertEquals(FakeEngine.answer(fresh.weightsFor("write Python functions from docstrings"), "hi"),
                    answer, "the weights read back from disk are the generated ones");
            assertEquals(200, s.get("/v1/adapters/" + a + "/download").statusCode());
            assertEquals(0, fresh.calls.get());

            assertTrue(s.delete("/v1/adapters/" + a).statusCode() == 200);
            assertFalse(Files.exists(dir.resolve(a)));
        }
        try (ServerFixture s = start(new FakeGenerator(), 1 << 20)) {
            assertEquals(1, s.getOk("/v1/adapters").path("data").size(), "the deletion was persisted");
        }
    }

    @Test
    void evictedAdaptersAreReadBackFromDisk() {
        FakeGenerator gen = new FakeGenerator();
        long budget = gen.bytesPerAdapter(); // one adapter in memory at a time
        try (ServerFixture s = start(gen, budget)) {
            String a = s.createAdapter("task a").path("id").asText();
            s.createAdapter("task b");
            assertEquals(2, s.getOk("/v1/adapters").path("data").size(), "eviction keeps stored adapters known");
            s.postOk("/v1/chat/completions", chat(a));
            assertEquals(2, gen.calls.get(), "a was read back, not regenerated");
            assertTrue(s.server.cachedAdapterBytes() <= budget);
        }
    }

    @Test
    void otherCheckpointsAndUnsafeIndexEntriesAreNotServed() throws Exception {
        String a;
        try (ServerFixture s = start(new FakeGenerator("ckpt-a", 2, 8, 2), 1 << 20)) {
            a = s.createAdapter("task a").path("id").asText();
        }
        // A hand-edited index naming a folder outside the store must be ignored.
        Path index = dir.resolve(AdapterStore.INDEX);
        String text = Files.readString(index).replace("\"adapters\" : [", "\"adapters\" : [ {\"id\": \"../evil\","
                + " \"description\": \"x\", \"checkpoint\": \"ckpt-b\"},");
        Files.writeString(index, text);
        try (ServerFixture s = start(new FakeGenerator("ckpt-b", 2, 8, 2), 1 << 20)) {
            assertEquals(0, s.getOk("/v1/adapters").path("data").size());
            assertError(s.post("/v1/chat/completions", chat(a)), 404, "model_not_found");
            String b = s.createAdapter("task a").path("id").asText();
            assertFalse(a.equals(b), "same description, other checkpoint: another adapter");
        }
        try (ServerFixture s = start(new FakeGenerator("ckpt-a", 2, 8, 2), 1 << 20)) {
            assertEquals(List.of(a), List.of(s.getOk("/v1/adapters").path("data").path(0).path("id").asText()));
            assertEquals(1, s.getOk("/v1/adapters").path("data").size(), "ckpt-a's adapter is still there");
        }
    }
}
