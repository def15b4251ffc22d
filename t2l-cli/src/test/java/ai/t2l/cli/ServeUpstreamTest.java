package ai.t2l.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.miniature.Split;
import ai.t2l.miniature.Task;
import ai.t2l.miniature.TaskWorld;
import ai.t2l.server.ServingStack;
import ai.t2l.server.T2lServer;
import ai.t2l.server.UpstreamEngine;
import ai.t2l.server.UpstreamSettings;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 item 2 on the real miniature: a front ({@code t2l serve --upstream}) over an upstream ({@code t2l serve
 * --allow-runtime-lora}) answers a {@code t2l:} chat for one of the miniature's tasks, whole and streamed, exactly as
 * the upstream alone (a single server) answers the same description and prompt, and differently from the base.
 */
@Timeout(600)
class ServeUpstreamTest {
    static final Path MINI = ServeLoraTest.MINI;
    static final String TASK = "reverse_plain";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path shared;

    @Test
    void frontAndUpstreamAnswerAsASingleServer() throws Exception {
        Path model = MINI.resolve("model");
        TaskWorld world = TaskWorld.standard();
        Task task = world.task(TASK);
        String prompt = world.examples(task, Split.TEST, 1, 1).get(0).prompt();
        String t2l = "t2l:" + task.evalDescriptions().get(0);
        try (ServingStack stack = ServingStack.open(new ServingStack.Settings(model,
                Miniature.checkpointIn(MINI.resolve("t2l")), ServeCommand.formatOf(model), "t2l-miniature", 4,
                null))) {
            T2lServer up = T2lServer.builder().port(0).generator(stack.generator()).engine(stack.engine())
                    .runtimeLoraUpdating(true).build().start();
            T2lServer front = T2lServer.builder().port(0).generator(stack.generator()).engine(new UpstreamEngine(
                    UpstreamSettings.of(URI.create(up.url()), shared, null, null), "t2l-miniature")).build().start();
            try {
                HttpClient http = HttpClient.newHttpClient();
                String single = chat(http, up, t2l, prompt, false);
                assertFalse(single.isEmpty());
                assertNotEquals(chat(http, up, "t2l-miniature", prompt, false), single, "the adapter matters");
                assertEquals(single, chat(http, front, t2l, prompt, false), "front + upstream, whole");
                assertEquals(single, chat(http, front, t2l, prompt, true), "front + upstream, streamed");
                assertEquals(single, chat(http, up, t2l, prompt, true), "the single server, streamed");
            } finally {
                front.stop(Duration.ofSeconds(1));
                up.stop(Duration.ofSeconds(1));
            }
        }
    }

    /**
     * A front over an upstream only generates: it reads the base model's config.json (to check the checkpoint fits)
     * and never its weights, which for the paper's 7-8B models would take 15 GB it does not use. Here the weights
     * file is absent: the front opens and generates the same adapter; a stack with a local engine cannot open.
     */
    @Test
    void aFrontNeverLoadsTheBaseModelsWeights() throws Exception {
        Path model = MINI.resolve("model");
        Path configOnly = java.nio.file.Files.createDirectories(shared.resolve("config-only"));
        for (String f : new String[] {"config.json", "tokenizer.json", "tokenizer_config.json"}) {
            java.nio.file.Files.copy(model.resolve(f), configOnly.resolve(f));
        }
        Path t2l = Miniature.checkpointIn(MINI.resolve("t2l"));
        String description = TaskWorld.standard().task(TASK).evalDescriptions().get(0);
        ai.t2l.lora.LoraWeights expected;
        try (ServingStack full = ServingStack.open(new ServingStack.Settings(model, t2l, ServeCommand.formatOf(model),
                "t2l-miniature", 4, null))) {
            expected = full.generator().generate(description);
        }
        try (ServingStack front = ServingStack.open(new ServingStack.Settings(configOnly, t2l,
                ServeCommand.formatOf(model), "t2l-miniature", 4, null, false))) {
            ai.t2l.lora.LoraWeights got = front.generator().generate(description);
            assertEquals(expected.pairs().keySet(), got.pairs().keySet());
            expected.pairs().forEach((site, p) -> {
                org.junit.jupiter.api.Assertions.assertArrayEquals(p.a().data(), got.pairs().get(site).a().data());
                org.junit.jupiter.api.Assertions.assertArrayEquals(p.b().data(), got.pairs().get(site).b().data());
            });
            org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, front::engine);
        }
        org.junit.jupiter.api.Assertions.assertThrows(ai.t2l.io.T2lException.class, () -> ServingStack.open(
                new ServingStack.Settings(configOnly, t2l, ServeCommand.formatOf(model), "t2l-miniature", 4, null)));
    }

    private static String chat(HttpClient http, T2lServer server, String model, String prompt, boolean stream)
            throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\": " + JSON.writeValueAsString(model)
                        + ", \"max_tokens\": 24, \"temperature\": 0, \"stream\": " + stream + ", \"messages\":"
                        + " [{\"role\": \"user\", \"content\": " + JSON.writeValueAsString(prompt) + "}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        if (!stream) {
            return JSON.readTree(r.body()).path("choices").path(0).path("message").path("content").asText();
        }
        StringBuilder text = new StringBuilder();
        boolean done = false;
        for (String event : r.body().split("\n\n")) {
            assertTrue(event.startsWith("data: "), event);
            String data = event.substring(6);
            if (data.equals("[DONE]")) {
                done = true;
                continue;
            }
            JsonNode c = JSON.readTree(data).path("choices").path(0);
            text.append(c.path("delta").path("content").asText(""));
        }
        assertTrue(done, r.body());
        return text.toString();
    }
}
