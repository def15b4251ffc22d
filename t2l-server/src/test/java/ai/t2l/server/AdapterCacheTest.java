package ai.t2l.server;

import static ai.t2l.server.ServerFixture.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The memory budget and least-recently-used eviction, seen through the API. */
@Timeout(120)
class AdapterCacheTest {
    private static List<String> ids(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.path("data").forEach(n -> out.add(n.path("id").asText()));
        return out;
    }

    @Test
    void evictsLeastRecentlyUsedToStayWithinBudget() {
        FakeGenerator gen = new FakeGenerator();
        long budget = 3 * gen.bytesPerAdapter(); // room for exactly three adapters
        try (ServerFixture s = new ServerFixture(gen, new FakeEngine(), ServerLimits.defaults(), budget, null)) {
            String a = s.createAdapter("task a").path("id").asText();
            String b = s.createAdapter("task b").path("id").asText();
            String c = s.createAdapter("task c").path("id").asText();
            // Use a: now b is the least recently used.
            s.postOk("/v1/chat/completions", "{\"model\": \"" + a + "\", \"messages\": [{\"role\": \"user\", "
                    + "\"content\": \"hi\"}]}");
            String d = s.createAdapter("task d").path("id").asText();
            assertEquals(List.of(a, c, d).stream().sorted().toList(), ids(s.getOk("/v1/adapters")).stream().sorted()
                    .toList(), "b was evicted, a survived because it was used");
            assertError(s.get("/v1/adapters/" + b), 404, "adapter_not_found");
            assertTrue(s.server.cachedAdapterBytes() <= budget);
            assertEquals(3 * gen.bytesPerAdapter(), s.server.cachedAdapterBytes());

            // Asking again for b regenerates it (and evicts the next least recently used, c).
            int calls = gen.calls.get();
            s.createAdapter("task b");
            assertEquals(calls + 1, gen.calls.get());
            assertError(s.get("/v1/adapters/" + c), 404, "adapter_not_found");
            assertTrue(s.server.cachedAdapterBytes() <= budget);
        }
    }

    @Test
    void anAdapterLargerThanTheWholeBudgetIsAClearError() {
        FakeGenerator gen = new FakeGenerator();
        try (ServerFixture s = new ServerFixture(gen, new FakeEngine(), ServerLimits.defaults(),
                gen.bytesPerAdapter() - 1, null)) {
            JsonNode e = assertError(s.post("/v1/adapters", "{\"description\": \"too big\"}"), 500,
                    "internal_error");
            assertTrue(e.path("message").asText().contains("cache budget"), e.toString());
        }
    }
}
