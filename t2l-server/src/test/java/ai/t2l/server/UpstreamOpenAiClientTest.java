package ai.t2l.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.InternalServerException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official OpenAI Java client against the single server (the real engine on the tiny model) and against a front
 * with that server as its upstream (issue 11 acceptance): it validates every field of both, gets the same answers
 * whole and streamed, and sees the upstream's absence as a 5xx error.
 */
@Timeout(300)
class UpstreamOpenAiClientTest {
    private static final String MODEL = "t2l:Answer the question in one word.";
    private static ServingStack stack;

    @TempDir
    Path shared;

    @BeforeAll
    static void open() {
        stack = TinyWorld.stack(8);
    }

    @AfterAll
    static void close() {
        if (stack != null) {
            stack.close();
        }
    }

    private static T2lServer start(T2lServer.Builder b) {
        try {
            return b.generator(stack.generator()).limits(ServerLimits.defaults().withMaxTokens(64)
                    .withDefaultMaxTokens(16)).shutdownGrace(Duration.ofSeconds(1)).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static OpenAIClient client(T2lServer s) {
        return OpenAIOkHttpClient.builder().baseUrl(s.url() + "/v1").apiKey("not-checked").maxRetries(0)
                .timeout(Duration.ofSeconds(60)).build();
    }

    private static ChatCompletionCreateParams params() {
        // Seeded sampling: the tiny random model often ends at once when greedy.
        return ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("what is two plus two")
                .maxCompletionTokens(12).temperature(1.0).seed(7).build();
    }

    private static String whole(OpenAIClient c) {
        ChatCompletion r = c.chat().completions().create(params());
        r.validate(); // throws if a required field is missing or mistyped
        assertEquals(MODEL, r.model());
        return r.choices().get(0).message().content().orElseThrow();
    }

    private static String streamed(OpenAIClient c) {
        StringBuilder text = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> s = c.chat().completions().createStreaming(params())) {
            s.stream().forEach(chunk -> {
                chunk.validate();
                chunk.choices().forEach(ch -> ch.delta().content().ifPresent(text::append));
            });
        }
        return text.toString();
    }

    @Test
    void theClientGetsTheSameAnswersFromTheSingleServerAndTheFront() {
        T2lServer up = start(T2lServer.builder().port(0).engine(stack.engine()).runtimeLoraUpdating(true));
        T2lServer front = start(T2lServer.builder().port(0).engine(new UpstreamEngine(UpstreamSettings.of(
                URI.create(up.url()), shared, null, null), TinyWorld.BASE)));
        OpenAIClient single = client(up);
        OpenAIClient viaFront = client(front);
        try {
            String answer = whole(single);
            assertFalse(answer.isEmpty());
            assertEquals(answer, streamed(single));
            assertEquals(answer, whole(viaFront));
            assertEquals(answer, streamed(viaFront));

            up.stop(Duration.ofSeconds(1));
            InternalServerException e = assertThrows(InternalServerException.class, () -> whole(viaFront));
            assertEquals(502, e.statusCode());
            assertTrue(e.getMessage().contains("cannot be reached"), e.getMessage());
        } finally {
            single.close();
            viaFront.close();
            front.stop(Duration.ofSeconds(1));
            up.stop(Duration.ofSeconds(1));
        }
    }
}
