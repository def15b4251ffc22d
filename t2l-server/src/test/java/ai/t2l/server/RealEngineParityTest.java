package ai.t2l.server;

import static ai.t2l.server.HttpFixture.json;
import static ai.t2l.server.HttpFixture.quote;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.djl.ndarray.NDManager;
import ai.t2l.embed.OnnxTaskEmbedder;
import ai.t2l.generate.GenerationConfig;
import ai.t2l.generate.Generator;
import ai.t2l.generate.TokenListener;
import ai.t2l.hypernet.HypernetCheckpoint;
import ai.t2l.hypernet.T2lFolder;
import ai.t2l.lora.LoraBatch;
import ai.t2l.lora.LoraWeights;
import ai.t2l.miniature.MiniTokenizer;
import ai.t2l.model.Transformer;
import ai.t2l.tokenizer.ChatMessage;
import ai.t2l.tokenizer.Tokenizer;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 13.1: the server's answer with a generated adapter is the library's answer with the same LoRA weights, and
 * differs from the base model's. Elsewhere the real engine is compared only with itself, so a server that dropped the
 * adapter (or applied it to the wrong rows) would pass there; here the reference is the plain {@link Generator} loop
 * with the hypernetwork applied, outside the server, to the bundled encoder's embedding of the description.
 */
@Timeout(300) // HTTP round trips to a real engine: a hang fails instead of stalling the build
class RealEngineParityTest {
    static final int MAX_TOKENS = 16;
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

    static String chat(String model, String user) {
        HttpResponse<String> r = s.post("/v1/chat/completions", "{\"model\": " + quote(model) + ", \"max_tokens\": "
                + MAX_TOKENS + ", \"temperature\": 0, \"messages\": [{\"role\": \"user\", \"content\": " + quote(user)
                + "}]}");
        assertEquals(200, r.statusCode(), r.body());
        return json(r.body()).path("choices").path(0).path("message").path("content").asText();
    }

    /** The hypernetwork of the server's checkpoint, applied here to the bundled encoder's embedding. */
    static LoraWeights libraryAdapter(String description) {
        try (NDManager m = NDManager.newBaseManager("PyTorch");
                HypernetCheckpoint ck = T2lFolder.load(TinyWorld.root().resolve("t2l"), m);
                OnnxTaskEmbedder e = OnnxTaskEmbedder.bundled()) {
            return ck.hypernet().generate(e.embed(description).vector());
        }
    }

    /** Greedy continuation of one user turn by the plain generation loop, ended like a server turn. */
    static String libraryAnswer(String user, LoraWeights adapter, int maxTokens) {
        Set<Integer> ends = Set.of(MiniTokenizer.id(MiniTokenizer.EOS), MiniTokenizer.id("<|end|>"));
        try (Transformer model = Transformer.load(TinyWorld.root().resolve("model"));
                Tokenizer tok = Tokenizer.open(TinyWorld.root().resolve("model"));
                Generator g = new Generator(model);
                LoraBatch lora = adapter == null ? null : LoraBatch.shared(model.manager(), adapter)) {
            int[] ids = tok.encode(TinyWorld.FORMAT.render(List.of(new ChatMessage("user", user)), true), false);
            int[] out = g.generate(ids, lora, GenerationConfig.greedy(maxTokens).withEos(ends), TokenListener.NONE)
                    .tokens();
            int n = out.length > 0 && ends.contains(out[out.length - 1]) ? out.length - 1 : out.length;
            return tok.decode(Arrays.copyOf(out, n), true);
        }
    }

    @Test
    void chatWithAGeneratedAdapterAnswersAsTheLibraryDoesWithTheSameWeights() {
        String description = "Spell every word backwards.";
        String user = "hello there";
        String base = chat(TinyWorld.BASE, user);
        String adapted = chat("t2l:" + description, user);
        assertEquals(libraryAnswer(user, null, MAX_TOKENS), base, "base model");
        assertEquals(libraryAnswer(user, libraryAdapter(description), MAX_TOKENS), adapted, "t2l:" + description);
        assertNotEquals(base, adapted, "the adapter changed nothing: was it dropped?");
    }
}
