package ai.t2l.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.io.FloatTensor;
import ai.t2l.io.Json;
import ai.t2l.lora.LoraConfig;
import ai.t2l.lora.LoraWeights;
import ai.t2l.miniature.MiniTokenizer;
import ai.t2l.model.ModelConfig;
import ai.t2l.model.RandomWeights;
import ai.t2l.model.Transformer;
import ai.t2l.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The serving decoder against the plain {@link Generator}: same tokens alone or batched, cancel, budgets. */
@Timeout(180) // every test here waits on the decoder thread: a regression fails instead of hanging the build
class BatchingDecoderTest {
    static final int END = MiniTokenizer.id(MiniTokenizer.EOS);
    static Transformer model;
    static Tokenizer tokenizer;
    static BatchingDecoder decoder;

    @BeforeAll
    static void setUp() throws Exception {
        Path dir = Files.createTempDirectory("t2l-batching");
        MiniTokenizer.write(dir);
        ModelConfig c = ModelConfig.parse(Json.MAPPER.createObjectNode().put("model_type", "llama")
                .put("vocab_size", MiniTokenizer.vocabSize()).put("hidden_size", 32).put("intermediate_size", 64)
                .put("num_hidden_layers", 2).put("num_attention_heads", 4).put("num_key_value_heads", 2)
                .put("max_position_embeddings", 96).put("hidden_act", "silu"), "tiny llama");
        model = Transformer.create(c, new RandomWeights(c, 3, 0.3));
        tokenizer = Tokenizer.open(dir);
        decoder = new BatchingDecoder(model, tokenizer, 8);
    }

    @AfterAll
    static void tearDown() {
        decoder.close();
        tokenizer.close();
        model.close();
    }

    static LoraWeights adapter(long seed) {
        Random r = new Random(seed);
        Map<LoraWeights.Site, LoraWeights.Pair> pairs = new HashMap<>();
        for (int l = 0; l < 2; l++) {
            for (String m : List.of("q_proj", "v_proj")) {
                int out = (int) model.config().outFeatures(m);
                pairs.put(new LoraWeights.Site(l, m), new LoraWeights.Pair(random(r, 4, 32), random(r, out, 4)));
            }
        }
        return new LoraWeights(new LoraConfig(4, 8, false, 0, List.of("q_proj", "v_proj")), pairs);
    }

    static FloatTensor random(Random r, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian() * 0.5f;
        }
        return new FloatTensor(v, new long[] {rows, cols});
    }

    static int[] prompt(String text) {
        return tokenizer.encode(text, false);
    }

    /** What the plain generation loop gives for one row, decoded as the serving decoder streams it. */
    static String reference(String text, LoraWeights adapter, int max) {
        try (Generator g = new Generator(model)) {
            int[] ids = g.generateWithAdapters(List.of(prompt(text)), Arrays.asList(adapter),
                    GenerationConfig.greedy(max).withEos(Set.of(END)), TokenListener.NONE).get(0).tokens();
            int n = ids.length > 0 && ids[ids.length - 1] == END ? ids.length - 1 : ids.length;
            return tokenizer.decode(Arrays.copyOf(ids, n), true);
        }
    }

    static BatchingDecoder.Request greedy(String text, LoraWeights adapter, int max) {
        return new BatchingDecoder.Request(prompt(text), adapter, Sampler.GREEDY, 0, max, Set.of(END));
    }

    /**
     * Greedy, but its first call (on the decoder thread) signals {@code entered} and then waits for {@code release}:
     * the decoder is then known to be busy with this row's wave, whatever the machine's load.
     */
    static final class GateSampler implements Sampler {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public int sample(float[] logits, RandomGenerator rng) {
            entered.countDown();
            try {
                if (!release.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never released the decoder");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return Sampler.argmax(logits);
        }
    }

    @Test
    void batchedRowsWithTheirOwnAdaptersMatchThePlainLoopRowByRow() throws Exception {
        List<String> texts = List.of("abc", "hello world", "x", "a longer prompt here", "abc", "zz top");
        List<LoraWeights> adapters = Arrays.asList(adapter(1), null, adapter(2), adapter(3), null, adapter(1));
        List<String> want = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            want.add(reference(texts.get(i), adapters.get(i), 20));
        }
        assertTrue(!want.get(0).equals(want.get(4)), "the adapter must change the answer for the test to mean much");
        long batchesBefore = decoder.stats().batches();
        ExecutorService pool = Executors.newFixedThreadPool(texts.size() + 1);
        // A first row holds the decoder inside its wave (its sampler runs on the decoder thread and waits for the
        // latch) while the others queue up; released, they are decoded together in the next wave.
        GateSampler gate = new GateSampler();
        try {
            Future<BatchingDecoder.Outcome> busy = pool.submit(() -> decoder.run(
                    new BatchingDecoder.Request(prompt("busy"), null, gate, 0, 60, Set.of()), t -> true));
            assertTrue(gate.entered.await(60, TimeUnit.SECONDS), "the first row never reached its sampler");
            CountDownLatch submitted = new CountDownLatch(texts.size());
            List<Future<BatchingDecoder.Outcome>> got = new ArrayList<>();
            for (int i = 0; i < texts.size(); i++) {
                int k = i;
                got.add(pool.submit(() -> {
                    submitted.countDown();
                    return decoder.run(greedy(texts.get(k), adapters.get(k), 20), t -> true);
                }));
            }
            assertTrue(submitted.await(60, TimeUnit.SECONDS), "the rows were never submitted");
            // Each row's thread is now inside or just before run(), which queues it at once; the first row still
            // has 59 steps to go after the release, so the queued rows wait for its wave to end.
            gate.release.countDown();
            for (int i = 0; i < texts.size(); i++) {
                assertEquals(want.get(i), got.get(i).get(60, TimeUnit.SECONDS).text(), "row " + i + " '" + texts.get(i)
                        + "'");
            }
            assertEquals(BatchingDecoder.Finish.MAX_TOKENS, busy.get(60, TimeUnit.SECONDS).finish());
        } finally {
            gate.release.countDown(); // never leave the shared decoder thread parked, whatever failed above
            pool.shutdownNow();
        }
        assertTrue(decoder.stats().largestBatch() >= 2, "no batching happened: " + decoder.stats());
        assertTrue(decoder.stats().batches() - batchesBefore < 1 + texts.size(), "every row ran alone: "
                + decoder.stats());
    }

    @Test
    void streamedPiecesConcatenateToTheText() {
        StringBuilder streamed = new StringBuilder();
        BatchingDecoder.Outcome o = decoder.run(greedy("stream me", adapter(4), 30), t -> {
            streamed.append(t);
            return true;
        });
        assertEquals(o.text(), streamed.toString());
        assertEquals(reference("stream me", adapter(4), 30), o.text());
    }

    @Test
    void aSinkReturningFalseCancelsTheRowPromptly() {
        int[] calls = {0};
        BatchingDecoder.Outcome o = decoder.run(new BatchingDecoder.Request(prompt("go"), null,
                Sampler.temperature(5.0, 1.0), 1, 80, Set.of()), t -> ++calls[0] < 3);
        assertEquals(BatchingDecoder.Finish.CANCELLED, o.finish());
        // The sink runs on the caller's thread while the decoder thread goes on, so how many steps it gets ahead
        // before it sees the flag depends on scheduling (6 seen on a loaded machine): bound it by the budget only.
        assertTrue(o.tokens() < 80, "generated " + o.tokens() + " of 80 tokens although the sink said stop at 3");
    }

    @Test
    void theBudgetIsCutToTheContextAndOversizePromptsAreRefused() {
        BatchingDecoder.Outcome o = decoder.run(new BatchingDecoder.Request(prompt("a".repeat(90)), null,
                Sampler.temperature(5.0, 1.0), 1, 50, Set.of()), t -> true);
        assertEquals(BatchingDecoder.Finish.MAX_TOKENS, o.finish());
        assertEquals(6, o.tokens(), "96 positions minus a 90-token prompt");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> decoder.run(greedy("b".repeat(96), null, 4), t -> true));
        assertTrue(e.getMessage().contains("96"), e.getMessage());
    }

    @Test
    void aSeedFixesASampledContinuation() {
        BatchingDecoder.Request r = new BatchingDecoder.Request(prompt("seeded"), adapter(5),
                Sampler.temperature(1.0, 0.9), 42, 16, Set.of(END));
        assertEquals(decoder.run(r, t -> true).text(), decoder.run(r, t -> true).text());
    }
}
