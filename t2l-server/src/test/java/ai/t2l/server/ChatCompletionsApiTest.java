package ai.t2l.server;

import static ai.t2l.server.ServerFixture.assertError;
import static ai.t2l.server.ServerFixture.quote;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class ChatCompletionsApiTest {
    private final ServerFixture s = ServerFixture.start();

    @AfterEach
    void stop() {
        s.close();
    }

    private static String chat(String model, String user, String extra) {
        return "{\"model\": " + quote(model) + ", \"messages\": [{\"role\": \"system\", \"content\": \"be brief\"},"
                + " {\"role\": \"user\", \"content\": " + quote(user) + "}]" + extra + "}";
    }

    private static String content(JsonNode response) {
        return response.path("choices").path(0).path("message").path("content").asText();
    }

    @Test
    void baseModelNonStreamingHasOpenAiShape() {
        JsonNode r = s.postOk("/v1/chat/completions", chat(FakeGenerator.BASE, "hello there", ""));
        assertTrue(r.path("id").asText().startsWith("chatcmpl-"));
        assertEquals("chat.completion", r.path("object").asText());
        assertEquals(FakeGenerator.BASE, r.path("model").asText());
        assertTrue(r.path("created").isIntegralNumber());
        JsonNode choice = r.path("choices").path(0);
        assertEquals(0, choice.path("index").asInt());
        assertEquals("assistant", choice.path("message").path("role").asText());
        assertEquals("base: you said: hello there", content(r));
        assertEquals("stop", choice.path("finish_reason").asText());
        JsonNode usage = r.path("usage");
        assertEquals(5, usage.path("completion_tokens").asInt());
        assertEquals(usage.path("prompt_tokens").asInt() + 5, usage.path("total_tokens").asInt());
    }

    @Test
    void adapterIdAndOnTheFlyDescriptionUseTheAdapter() {
        String description = "solve grade-school math word problems step by step";
        String expected = FakeEngine.answer(s.generator.weightsFor(description), "what is 2 plus 2");

        JsonNode onTheFly = s.postOk("/v1/chat/completions", chat("t2l:" + description, "what is 2 plus 2", ""));
        assertEquals(expected, content(onTheFly));
        assertEquals("t2l:" + description, onTheFly.path("model").asText());

        String id = s.createAdapter(description).path("id").asText();
        JsonNode byId = s.postOk("/v1/chat/completions", chat(id, "what is 2 plus 2", ""));
        assertEquals(expected, content(byId));
        assertEquals(1, s.generator.calls.get(), "the on-the-fly adapter was cached under the same id");

        JsonNode base = s.postOk("/v1/chat/completions", chat(FakeGenerator.BASE, "what is 2 plus 2", ""));
        assertNotEquals(content(base), content(byId));
    }

    @Test
    void adapterHeaderNamesTheAdapterUsed() {
        HttpResponse<String> r = s.post("/v1/chat/completions", chat("t2l:answer science questions", "hi", ""));
        assertEquals(200, r.statusCode());
        String id = AdapterIds.idFor("answer science questions", s.generator.checkpointId());
        assertEquals(id, r.headers().firstValue("X-T2L-Adapter").orElse(""));
    }

    @Test
    void streamingSendsRoleThenDeltasThenFinishThenDone() {
        HttpResponse<String> r = s.post("/v1/chat/completions",
                chat(FakeGenerator.BASE, "one two three", ", \"stream\": true, "
                        + "\"stream_options\": {\"include_usage\": true}"));
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        List<String> data = ServerFixture.sseData(r.body());
        assertEquals("[DONE]", data.get(data.size() - 1));
        JsonNode first = ServerFixture.json(data.get(0));
        assertEquals("chat.completion.chunk", first.path("object").asText());
        assertEquals("assistant", first.path("choices").path(0).path("delta").path("role").asText());
        StringBuilder text = new StringBuilder();
        String finish = null;
        JsonNode usage = null;
        for (String d : data.subList(0, data.size() - 1)) {
            JsonNode c = ServerFixture.json(d);
            assertEquals(first.path("id"), c.path("id"), "one id for the whole stream");
            if (c.has("usage")) {
                usage = c.path("usage");
                assertEquals(0, c.path("choices").size(), "the usage chunk has no choices");
                continue;
            }
            JsonNode choice = c.path("choices").path(0);
            text.append(choice.path("delta").path("content").asText(""));
            if (!choice.path("finish_reason").isNull()) {
                assertEquals(null, finish, "only one chunk finishes");
                finish = choice.path("finish_reason").asText();
            }
        }
        assertEquals("base: you said: one two three", text.toString());
        assertEquals("stop", finish);
        assertEquals(6, usage.path("completion_tokens").asInt());
    }

    @Test
    void maxTokensCutsWithFinishReasonLength() {
        JsonNode r = s.postOk("/v1/chat/completions", chat(FakeGenerator.BASE, "a b c d e f", ", \"max_tokens\": 3"));
        assertEquals("base: you said:", content(r));
        assertEquals("length", r.path("choices").path(0).path("finish_reason").asText());
        assertEquals(3, r.path("usage").path("completion_tokens").asInt());
    }

    @Test
    void stopStringsEndTheAnswerAndAreNotSentStreamingOrNot() {
        String body = chat(FakeGenerator.BASE, "alpha beta gamma delta", ", \"stop\": [\"gam\", \"zzz\"]");
        JsonNode r = s.postOk("/v1/chat/completions", body);
        assertEquals("base: you said: alpha beta ", content(r));
        assertEquals("stop", r.path("choices").path(0).path("finish_reason").asText());

        HttpResponse<String> streamed = s.post("/v1/chat/completions",
                body.substring(0, body.length() - 1) + ", \"stream\": true}");
        StringBuilder text = new StringBuilder();
        for (String d : ServerFixture.sseData(streamed.body())) {
            if (!d.equals("[DONE]")) {
                text.append(ServerFixture.json(d).path("choices").path(0).path("delta").path("content").asText(""));
            }
        }
        assertEquals("base: you said: alpha beta ", text.toString());
        assertFalse(streamed.body().contains("gam"), "no part of the stop string is ever sent");
    }

    @Test
    void samplingSettingsReachTheEngine() {
        s.postOk("/v1/chat/completions", chat(FakeGenerator.BASE, "x",
                ", \"temperature\": 0.7, \"top_p\": 0.9, \"seed\": 1234, \"max_completion_tokens\": 7"));
        ChatEngine.Options o = s.engine.lastOptions.get();
        assertEquals(0.7, o.temperature());
        assertEquals(0.9, o.topP());
        assertEquals(1234L, o.seed());
        assertEquals(7, o.maxTokens());
    }

    @Test
    void completionsEndpointNonStreamingAndStreaming() {
        JsonNode r = s.postOk("/v1/completions",
                "{\"model\": \"" + FakeGenerator.BASE + "\", \"prompt\": \"the sky is\", \"max_tokens\": 20}");
        assertEquals("text_completion", r.path("object").asText());
        assertTrue(r.path("id").asText().startsWith("cmpl-"));
        assertEquals("base: you said: the sky is", r.path("choices").path(0).path("text").asText());
        assertEquals("stop", r.path("choices").path(0).path("finish_reason").asText());

        HttpResponse<String> st = s.post("/v1/completions", "{\"model\": \"t2l:summarise news\", \"prompt\": [\"hi\"],"
                + " \"stream\": true}");
        assertEquals(200, st.statusCode());
        StringBuilder text = new StringBuilder();
        List<String> data = ServerFixture.sseData(st.body());
        assertEquals("[DONE]", data.get(data.size() - 1));
        for (String d : data.subList(0, data.size() - 1)) {
            text.append(ServerFixture.json(d).path("choices").path(0).path("text").asText());
        }
        assertEquals(FakeEngine.answer(s.generator.weightsFor("summarise news"), "hi"), text.toString());
    }

    @Test
    void unknownModelIs404() {
        for (String model : List.of("gpt-4", "t2l-0000000000", "../../etc/passwd")) {
            JsonNode e = assertError(s.post("/v1/chat/completions", chat(model, "hi", "")), 404, "model_not_found");
            assertEquals("model", e.path("param").asText());
        }
        assertError(s.post("/v1/completions", "{\"model\": \"nope\", \"prompt\": \"x\"}"), 404, "model_not_found");
    }

    @Test
    void tooManyTokensAndBadParametersAre400() {
        int max = ServerLimits.defaults().maxTokens();
        JsonNode e = assertError(s.post("/v1/chat/completions",
                chat(FakeGenerator.BASE, "hi", ", \"max_tokens\": " + (max + 1))), 400, "invalid_value");
        assertEquals("max_tokens", e.path("param").asText());
        assertTrue(e.path("message").asText().contains("at most " + max), e.toString());
        for (String extra : List.of(", \"temperature\": 3", ", \"top_p\": 0", ", \"n\": 2", ", \"max_tokens\": 0",
                ", \"stop\": [\"a\",\"b\",\"c\",\"d\",\"e\"]", ", \"seed\": \"x\"", ", \"stream\": \"yes\"")) {
            assertError(s.post("/v1/chat/completions", chat(FakeGenerator.BASE, "hi", extra)), 400,
                    "invalid_value");
        }
        assertError(s.post("/v1/chat/completions", "{\"model\": \"" + FakeGenerator.BASE + "\"}"), 400,
                "invalid_value");
        assertError(s.post("/v1/chat/completions", "{\"model\": \"" + FakeGenerator.BASE
                + "\", \"messages\": [{\"role\": \"tool\", \"content\": \"x\"}]}"), 400, "invalid_value");
        assertError(s.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}"),
                400, "invalid_value");
        assertEquals(0, s.generator.calls.get(), "a bad request never generates an adapter");
    }

    @Test
    void badRequestWithOnTheFlyModelGeneratesNothing() {
        assertError(s.post("/v1/chat/completions", chat("t2l:some task", "hi", ", \"max_tokens\": 999999")), 400,
                "invalid_value");
        assertEquals(0, s.generator.calls.get());
    }

    @Test
    void malformedJsonIs400() {
        assertError(s.post("/v1/chat/completions", "{\"model\": "), 400, "invalid_json");
        assertError(s.post("/v1/completions", "nonsense"), 400, "invalid_json");
    }

    /** Issue 10 item 11: fields we would otherwise ignore are refused by name, as vLLM does. */
    @Test
    void fieldsThisServerDoesNotImplementAre400NamingTheField() {
        String base = "\"model\": \"fake-llama\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]";
        for (String field : List.of("\"logprobs\": true", "\"tools\": [{\"type\": \"function\", \"function\": "
                + "{\"name\": \"f\"}}]", "\"response_format\": {\"type\": \"json_object\"}",
                "\"frequency_penalty\": 0.5", "\"made_up_field\": 1")) {
            String name = field.substring(1, field.indexOf('"', 1));
            var e = ServerFixture.assertError(s.post("/v1/chat/completions", "{" + base + ", " + field + "}"), 400,
                    "unsupported_parameter");
            assertEquals(name, e.path("param").asText());
            assertTrue(e.path("message").asText().contains("'" + name + "'"), e.toString());
            ServerFixture.assertError(s.post("/v1/completions", "{\"model\": \"fake-llama\", \"prompt\": \"hi\", "
                    + field + "}"), 400, "unsupported_parameter");
        }
        // Their no-op values (some clients always send them) and nulls are fine.
        s.postOk("/v1/chat/completions", "{" + base + ", \"logprobs\": false, \"frequency_penalty\": 0, "
                + "\"presence_penalty\": 0.0, \"tools\": [], \"response_format\": null, \"user\": \"u1\"}");
    }
}
