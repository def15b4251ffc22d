package ai.t2l.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * vLLM's dynamic-LoRA API (issue 11 item 1) with the fakes: request and error shapes as in vLLM's serving_models.py,
 * the adapter chosen by {@code model}, the fit check against the base model, --lora-modules at start, lora_scale.
 */
@Timeout(120)
class LoraAdaptersApiTest {
    @TempDir
    Path tmp;

    private static final String USER = "hello lora";

    private Path adapter(String name, LoraWeights w) {
        Path dir = tmp.resolve(name);
        PeftAdapter.write(dir, w, FakeGenerator.BASE, null, false);
        return dir;
    }

    private static ServerFixture server(java.util.function.Consumer<T2lServer.Builder> settings) {
        return new ServerFixture(new FakeGenerator(), new FakeEngine(), ServerLimits.defaults(), 1 << 20, null,
                settings);
    }

    private static String load(String name, Path path) {
        return "{\"lora_name\": " + HttpFixture.quote(name) + ", \"lora_path\": "
                + HttpFixture.quote(path.toString()) + "}";
    }

    private static String chat(ServerFixture s, String model, String extra) {
        return s.postOk("/v1/chat/completions", "{\"model\": " + HttpFixture.quote(model) + extra
                + ", \"messages\": [{\"role\": \"user\", \"content\": \"" + USER + "\"}]}")
                .path("choices").path(0).path("message").path("content").asText();
    }

    @Test
    void loadChatListAndUnloadWithVllmsShapes() {
        LoraWeights w = new FakeGenerator().weightsFor("an existing adapter");
        Path dir = adapter("mine", w);
        try (ServerFixture s = server(b -> b.runtimeLoraUpdating(true))) {
            HttpResponse<String> r = s.post("/v1/load_lora_adapter", load("my-lora", dir));
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("Success: LoRA adapter 'my-lora' added successfully.", r.body());

            String adapted = chat(s, "my-lora", "");
            assertEquals(FakeEngine.answer(w, USER), adapted, "the loaded adapter's answer");
            assertNotEquals(chat(s, FakeGenerator.BASE, ""), adapted, "differs from the base model");

            List<String> ids = new ArrayList<>();
            JsonNode models = s.getOk("/v1/models");
            models.path("data").forEach(m -> ids.add(m.path("id").asText()));
            assertEquals(List.of(FakeGenerator.BASE, "my-lora"), ids);
            JsonNode card = s.getOk("/v1/models/my-lora");
            assertEquals(dir.toAbsolutePath().normalize().toString(), card.path("root").asText());
            assertEquals(FakeGenerator.BASE, card.path("parent").asText());

            JsonNode dup = HttpFixture.assertError(s.post("/v1/load_lora_adapter", load("my-lora", dir)), 400,
                    "lora_already_loaded");
            assertEquals("The lora adapter 'my-lora' has already been loaded.", dup.path("message").asText());
            assertEquals("InvalidUserInput", dup.path("type").asText());

            r = s.post("/v1/unload_lora_adapter", "{\"lora_name\": \"my-lora\"}");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("Success: LoRA adapter 'my-lora' removed successfully.", r.body());
            JsonNode gone = HttpFixture.assertError(s.post("/v1/unload_lora_adapter", "{\"lora_name\": \"my-lora\"}"),
                    404, "lora_not_found");
            assertEquals("The lora adapter 'my-lora' cannot be found.", gone.path("message").asText());
            assertEquals("NotFoundError", gone.path("type").asText());
            HttpFixture.assertError(s.post("/v1/chat/completions", "{\"model\": \"my-lora\", \"messages\": "
                    + "[{\"role\": \"user\", \"content\": \"x\"}]}"), 404, "model_not_found");
        }
    }

    @Test
    void badRequestsAndFoldersAreRefusedWithTheReason() throws Exception {
        try (ServerFixture s = server(b -> b.runtimeLoraUpdating(true))) {
            JsonNode e = HttpFixture.assertError(s.post("/v1/load_lora_adapter", "{\"lora_name\": \"x\"}"), 400,
                    "missing_parameter");
            assertEquals("Both 'lora_name' and 'lora_path' must be provided.", e.path("message").asText());
            HttpFixture.assertError(s.post("/v1/load_lora_adapter", load("x", tmp.resolve("nowhere"))), 404,
                    "lora_not_found");
            Path empty = Files.createDirectories(tmp.resolve("empty"));
            e = HttpFixture.assertError(s.post("/v1/load_lora_adapter", load("x", empty)), 400, "invalid_lora");
            assertTrue(e.path("message").asText().contains("adapter_config.json"), e.toString());

            // Made for another model: 3 layers (the fake has 2), and width 16 (the fake's is 8).
            Path deep = adapter("deep", new FakeGenerator("c", 3, 8, 2).weightsFor("d"));
            e = HttpFixture.assertError(s.post("/v1/load_lora_adapter", load("deep", deep)), 400, "invalid_lora");
            assertTrue(e.path("message").asText().contains("layer 2"), e.toString());
            Path wide = adapter("wide", new FakeGenerator("c", 2, 16, 2).weightsFor("d"));
            e = HttpFixture.assertError(s.post("/v1/load_lora_adapter", load("wide", wide)), 400, "invalid_lora");
            assertTrue(e.path("message").asText().contains("16 -> 16"), e.toString());

            Path ok = adapter("ok", new FakeGenerator().weightsFor("ok"));
            for (String name : List.of(FakeGenerator.BASE, "t2l:sneaky", "has space", "t2l-0123456789abcdef0123")) {
                HttpFixture.assertError(s.post("/v1/load_lora_adapter", load(name, ok)), 400, "invalid_value");
            }
            assertEquals(1, s.getOk("/v1/models").path("data").size(), "nothing was loaded");
        }
    }

    @Test
    void runtimeUpdatesAreOffUnlessAllowed() {
        Path dir = adapter("mine", new FakeGenerator().weightsFor("x"));
        try (ServerFixture s = server(b -> {})) {
            JsonNode e = HttpFixture.assertError(s.post("/v1/load_lora_adapter", load("m", dir)), 404, "not_found");
            assertTrue(e.path("message").asText().contains("--allow-runtime-lora"), e.toString());
        }
    }

    @Test
    void loraModulesAreServedFromTheStartAndABadOneStopsTheStart() {
        LoraWeights w = new FakeGenerator().weightsFor("startup adapter");
        Path dir = adapter("startup", w);
        try (ServerFixture s = server(b -> b.loraModules(Map.of("at-start", dir)))) {
            assertEquals(FakeEngine.answer(w, USER), chat(s, "at-start", ""));
        }
        Path deep = adapter("deep", new FakeGenerator("c", 3, 8, 2).weightsFor("d"));
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> server(b -> b.loraModules(Map.of("bad", deep))));
        assertTrue(e.getMessage().contains("bad=" + deep) && e.getMessage().contains("layer 2"), e.getMessage());
    }

    @Test
    void loraScaleChangesTheAdaptersStrengthOnly() {
        LoraWeights w = new FakeGenerator().weightsFor("scaled");
        Path dir = adapter("scaled", w);
        try (ServerFixture s = server(b -> b.loraModules(Map.of("scaled", dir)))) {
            chat(s, "scaled", ", \"lora_scale\": 0.5");
            LoraWeights used = s.engine.lastAdapter.get();
            assertEquals(w.config().scaling() * 0.5, used.config().scaling(), 1e-12);
            assertEquals(w.pairs().keySet(), used.pairs().keySet());
            w.pairs().forEach((site, p) -> { // the same tensors: only the scaling differs
                assertArrayEquals(p.a().data(), used.pairs().get(site).a().data(), "lora_A of " + site);
                assertArrayEquals(p.b().data(), used.pairs().get(site).b().data(), "lora_B of " + site);
            });
            assertEquals(chat(s, FakeGenerator.BASE, ""), chat(s, "scaled", ", \"lora_scale\": 0"), "0 = base");
            assertNull(s.engine.lastAdapter.get());
            chat(s, "scaled", ", \"lora_scale\": 1");
            assertEquals(w.config().scaling(), s.engine.lastAdapter.get().config().scaling(), 1e-12);
            HttpFixture.assertError(s.post("/v1/chat/completions", "{\"model\": \"scaled\", \"lora_scale\": -1, "
                    + "\"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}"), 400, "invalid_value");
            HttpFixture.assertError(s.post("/v1/chat/completions", "{\"model\": \"" + FakeGenerator.BASE + "\", "
                    + "\"lora_scale\": 0.5, \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}"), 400,
                    "invalid_value");
        }
    }
}
