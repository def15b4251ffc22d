package ai.t2l.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.models.ModelListPage;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Our wire format as the official OpenAI Java client sees it: it parses and validates every field it knows. */
@Timeout(120)
class OpenAiClientTest {
    private final ServerFixture s = ServerFixture.start();
    private final OpenAIClient client = OpenAIOkHttpClient.builder()
            .baseUrl(s.server.url() + "/v1")
            .apiKey("not-checked")
            .maxRetries(0)
            .timeout(Duration.ofSeconds(30))
            .build();

    @AfterEach
    void stop() {
        client.close();
        s.close();
    }

    private static ChatCompletionCreateParams params(String model, String user) {
        return ChatCompletionCreateParams.builder()
                .model(model)
                .addSystemMessage("be brief")
                .addUserMessage(user)
                .maxCompletionTokens(64)
                .temperature(0.0)
                .seed(7)
                .build();
    }

    @Test
    void chatCompletionNonStreaming() {
        String description = "solve grade-school math word problems step by step";
        ChatCompletion c = client.chat().completions().create(params("t2l:" + description, "what is 3 times 4"));
        c.validate(); // throws if any required field is missing or mistyped
        assertEquals("t2l:" + description, c.model());
        assertEquals(FakeEngine.answer(s.generator.weightsFor(description), "what is 3 times 4"),
                c.choices().get(0).message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, c.choices().get(0).finishReason());
        assertEquals(8, c.usage().orElseThrow().completionTokens()); // tag, "you", "said:" and 5 words
    }

    @Test
    void chatCompletionStreaming() {
        StringBuilder text = new StringBuilder();
        String[] finish = new String[1];
        try (StreamResponse<ChatCompletionChunk> stream =
                client.chat().completions().createStreaming(params(FakeGenerator.BASE, "stream this please"))) {
            stream.stream().forEach(chunk -> {
                chunk.validate();
                for (ChatCompletionChunk.Choice choice : chunk.choices()) {
                    choice.delta().content().ifPresent(text::append);
                    choice.finishReason().ifPresent(f -> finish[0] = f.asString());
                }
            });
        }
        assertEquals("base: you said: stream this please", text.toString());
        assertEquals("stop", finish[0]);
    }

    @Test
    void legacyCompletion() {
        Completion c = client.completions().create(CompletionCreateParams.builder()
                .model(FakeGenerator.BASE).prompt("once upon a time").maxTokens(4).build());
        c.validate();
        assertEquals("base: you said: once", c.choices().get(0).text());
        assertEquals(com.openai.models.completions.CompletionChoice.FinishReason.LENGTH,
                c.choices().get(0).finishReason());
    }

    @Test
    void modelsList() {
        String id = s.createAdapter("answer multiple-choice science questions").path("id").asText();
        ModelListPage page = client.models().list();
        assertEquals(FakeGenerator.BASE, page.data().get(0).id());
        assertEquals(id, page.data().get(1).id());
        page.data().forEach(com.openai.models.models.Model::validate);
    }

    @Test
    void errorsMapToTheClientsExceptions() {
        NotFoundException nf = assertThrows(NotFoundException.class,
                () -> client.chat().completions().create(params("no-such-model", "hi")));
        assertEquals(404, nf.statusCode());
        assertEquals("model_not_found", nf.code().orElseThrow());
        assertTrue(nf.getMessage().contains("no-such-model"), nf.getMessage());

        BadRequestException br = assertThrows(BadRequestException.class,
                () -> client.chat().completions().create(ChatCompletionCreateParams.builder()
                        .model(FakeGenerator.BASE).addUserMessage("hi").maxCompletionTokens(1_000_000).build()));
        assertEquals("max_completion_tokens", br.param().orElseThrow());
    }
}
