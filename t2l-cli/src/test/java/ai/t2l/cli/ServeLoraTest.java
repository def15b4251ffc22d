package ai.t2l.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.miniature.Split;
import ai.t2l.miniature.TaskWorld;
import ai.t2l.server.ServingStack;
import ai.t2l.server.T2lServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 11 item 1 on the real engine: an existing PEFT adapter (the miniature's trained oracle for a task, B != 0)
 * loaded into {@code t2l serve} by name answers a chat exactly as {@code t2l run --adapter} answers the same prompt,
 * and differently from the base model, whether loaded at start (--lora) or at run time (load_lora_adapter).
 */
@Timeout(600)
class ServeLoraTest {
    static final Path MINI = Path.of("..", "miniature").toAbsolutePath().normalize();
    static final String TASK = "reverse_plain";
    static final int TOKENS = 24;
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aLoadedAdapterAnswersAsTRunAdapterDoes() throws Exception {
        Path model = MINI.resolve("model");
        Path oracle = MINI.resolve("oracle").resolve(TASK);
        assertTrue(Files.isDirectory(oracle), "the miniature's oracle " + oracle);
        TaskWorld world = TaskWorld.standard();
        String prompt = world.examples(world.task(TASK), Split.TEST, 1, 1).get(0).prompt();

        String cliAdapted = cli("run", "--model", model.toString(), "--adapter", oracle.toString(), "--chat",
                "--prompt", prompt, "--max-new-tokens", Integer.toString(TOKENS));
        String cliBase = cli("run", "--model", model.toString(), "--chat", "--prompt", prompt, "--max-new-tokens",
                Integer.toString(TOKENS));
        assertNotEquals(cliBase, cliAdapted, "the oracle changes the answer (its B is not zero)");

        try (ServingStack stack = ServingStack.open(new ServingStack.Settings(model,
                Miniature.checkpointIn(MINI.resolve("t2l")), ServeCommand.formatOf(model), "t2l-miniature", 4,
                null))) {
            T2lServer server = T2lServer.builder().port(0).generator(stack.generator()).engine(stack.engine())
                    .loraModules(Map.of("at-start", oracle)).runtimeLoraUpdating(true).build().start();
            try {
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> load = post(http, server, "/v1/load_lora_adapter",
                        "{\"lora_name\": \"oracle\", \"lora_path\": " + JSON.writeValueAsString(oracle.toString())
                                + "}");
                assertEquals(200, load.statusCode(), load.body());
                assertEquals(cliAdapted, chat(http, server, "oracle", prompt), "run-time load vs t2l run --adapter");
                assertEquals(cliAdapted, chat(http, server, "at-start", prompt), "--lora vs t2l run --adapter");
                assertEquals(cliBase, chat(http, server, "t2l-miniature", prompt), "base vs t2l run");

                // An adapter made for another model (width 7 here) is refused when loaded, with the reason.
                Path other = Files.createTempDirectory("t2l-other-lora-");
                try {
                    ai.t2l.io.FloatTensor a = new ai.t2l.io.FloatTensor(new float[14], new long[] {2, 7});
                    ai.t2l.io.FloatTensor b = new ai.t2l.io.FloatTensor(new float[14], new long[] {7, 2});
                    ai.t2l.lora.PeftAdapter.write(other.resolve("a"), new ai.t2l.lora.LoraWeights(
                            new ai.t2l.lora.LoraConfig(2, 4, false, 0, java.util.List.of("q_proj")),
                            Map.of(new ai.t2l.lora.LoraWeights.Site(0, "q_proj"),
                                    new ai.t2l.lora.LoraWeights.Pair(a, b))), "elsewhere", null, false);
                    HttpResponse<String> misfit = post(http, server, "/v1/load_lora_adapter", "{\"lora_name\": "
                            + "\"other\", \"lora_path\": " + JSON.writeValueAsString(other.resolve("a").toString())
                            + "}");
                    assertEquals(400, misfit.statusCode(), misfit.body());
                    String why = JSON.readTree(misfit.body()).path("error").path("message").asText();
                    assertTrue(why.contains("lora_A") && why.contains("[2, 7]"), why);
                } finally {
                    ai.t2l.io.AtomicFiles.deleteRecursively(other);
                }
            } finally {
                server.stop(Duration.ofSeconds(1));
            }
        }
    }

    private static String cli(String... args) {
        TinyWorld.Run r = TinyWorld.run(args);
        assertEquals(0, r.code(), r.err());
        return r.out().endsWith("\n") ? r.out().substring(0, r.out().length() - 1) : r.out();
    }

    private static String chat(HttpClient http, T2lServer server, String model, String prompt) throws Exception {
        HttpResponse<String> r = post(http, server, "/v1/chat/completions", "{\"model\": "
                + JSON.writeValueAsString(model) + ", \"max_tokens\": " + TOKENS + ", \"temperature\": 0, "
                + "\"messages\": [{\"role\": \"user\", \"content\": " + JSON.writeValueAsString(prompt) + "}]}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode j = JSON.readTree(r.body());
        return j.path("choices").path(0).path("message").path("content").asText();
    }

    private static HttpResponse<String> post(HttpClient http, T2lServer server, String path, String body)
            throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
