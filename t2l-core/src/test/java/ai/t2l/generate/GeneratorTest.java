package ai.t2l.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.t2l.Shared;
import ai.t2l.io.Json;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import ai.t2l.model.Transformer;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The generation loop on the golden Llama: stopping, streaming, sampling, batching with per-row adapters. */
class GeneratorTest {
    static Transformer model;
    static Generator gen;
    static JsonNode expected;

    @BeforeAll
    static void load() {
        model = Transformer.load(Shared.golden("llama"));
        gen = new Generator(model);
        expected = Json.read(Shared.golden("llama", "expected.json"));
    }

    @AfterAll
    static void close() {
        gen.close();
        model.close();
    }

    static int[] ints(JsonNode a) {
        return java.util.stream.IntStream.range(0, a.size()).map(i -> a.get(i).asInt()).toArray();
    }

    static int[] prompt(int s) {
        return ints(expected.get("seq" + s).get("input_ids"));
    }

    static int[] greedy(int s) {
        return ints(expected.get("seq" + s).get("expected_greedy_new_tokens"));
    }

    @Test
    void stopsOnAnyEosIdAndStreamsEveryToken() {
        int[] want = greedy(0); // 226, 51, 94, ...
        List<Integer> streamed = new ArrayList<>();
        Generation g = gen.generate(prompt(0), null, GenerationConfig.greedy(12).withEos(Set.of(999, want[2])),
                (row, token) -> streamed.add(token));
        assertArrayEquals(Arrays.copyOf(want, 3), g.tokens(), "tokens up to and including the EOS id");
        assertEquals(StopReason.EOS, g.reason());
        assertEquals(List.of(want[0], want[1], want[2]), streamed, "streamed tokens");
    }

    @Test
    void stopsOnStopStringThroughTheDecoder() {
        int[] want = greedy(1);
        // A stand-in tokenizer: each id becomes "<id> "; the stop string spans tokens 3 and 4.
        java.util.function.Function<int[], String> decode =
                ids -> Arrays.stream(ids).mapToObj(i -> i + " ").collect(Collectors.joining());
        String stop = want[3] + " " + want[4];
        Generation g = gen.generate(prompt(1), null,
                GenerationConfig.greedy(12).withStopStrings(List.of("never", stop), decode), TokenListener.NONE);
        assertArrayEquals(Arrays.copyOf(want, 5), g.tokens());
        assertEquals(StopReason.STOP_STRING, g.reason());
        assertEquals(stop, g.stopString());
    }

    @Test
    void maxNewTokensBoundsTheContinuation() {
        Generation g = gen.generate(prompt(0), null, GenerationConfig.greedy(4), TokenListener.NONE);
        assertArrayEquals(Arrays.copyOf(greedy(0), 4), g.tokens());
        assertEquals(StopReason.MAX_TOKENS, g.reason());
        assertNull(g.stopString());
    }

    @Test
    void seededSamplingIsDeterministicAndTinyTopPIsGreedy() {
        GenerationConfig hot = GenerationConfig.greedy(12).withSampler(Sampler.temperature(1.5, 0.95), 42);
        int[] a = gen.generate(prompt(1), null, hot, TokenListener.NONE).tokens();
        int[] b = gen.generate(prompt(1), null, hot, TokenListener.NONE).tokens();
        assertArrayEquals(a, b, "same seed, same tokens");
        // A nucleus of one token is the argmax, whatever the temperature.
        GenerationConfig nucleus1 = GenerationConfig.greedy(12).withSampler(Sampler.temperature(0.7, 1e-9), 3);
        assertArrayEquals(greedy(1), gen.generate(prompt(1), null, nucleus1, TokenListener.NONE).tokens());
    }

    /** Left-padded batch with a different adapter per row == the PEFT goldens for each row. */
    @Test
    void batchedGenerationWithPerRowAdaptersMatchesGoldens() {
        Path peft = Shared.golden("peft");
        LoraWeights qv = PeftAdapter.read(peft.resolve("llama_qv/adapter"));
        LoraWeights all = PeftAdapter.read(peft.resolve("llama_all/adapter"));
        JsonNode qvExp = Json.read(peft.resolve("llama_qv/expected.json"));
        JsonNode allExp = Json.read(peft.resolve("llama_all/expected.json"));
        List<int[]> prompts = List.of(prompt(0), prompt(1), prompt(1), prompt(0));
        List<Generation> out = gen.generateWithAdapters(prompts, Arrays.asList(qv, all, null, all),
                GenerationConfig.greedy(12), TokenListener.NONE);
        assertArrayEquals(ints(qvExp.get("seq0").get("expected_greedy_new_tokens")), out.get(0).tokens(), "row 0 (llama_qv)");
        assertArrayEquals(ints(allExp.get("seq1").get("expected_greedy_new_tokens")), out.get(1).tokens(), "row 1 (llama_all)");
        assertArrayEquals(greedy(1), out.get(2).tokens(), "row 2 (base)");
        assertArrayEquals(ints(allExp.get("seq0").get("expected_greedy_new_tokens")), out.get(3).tokens(), "row 3 (llama_all)");
    }
}
