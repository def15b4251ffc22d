package ai.t2l.eval.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.TinyModel;
import ai.t2l.eval.ChatPrompt;
import ai.t2l.eval.runtime.RuntimeCompletionModel.AdapterMode;
import ai.t2l.generate.Sampler;
import ai.t2l.io.FloatTensor;
import ai.t2l.lora.LoraConfig;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import ai.t2l.miniature.MiniTokenizer;
import ai.t2l.model.Transformer;
import ai.t2l.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluation model over the runtime, on a tiny random Llama with the miniature's character tokenizer. */
class RuntimeCompletionModelTest {
    static final int MAX_NEW = 10;
    static final List<ChatPrompt> PROMPTS = List.of(
            new ChatPrompt("hi", ""),
            new ChatPrompt("Answer the question below by choosing the correct choice.\n\nWhich is a planet?\n\nA: Mars", ""),
            new ChatPrompt("Please answer the following question: 2 + 3?\n\n", "Let's think step by step."),
            new ChatPrompt("x", "```python"),
            new ChatPrompt("What is 7 times 6?", "Answer:"));

    @TempDir
    static Path tmp;
    static Path model;

    @BeforeAll
    static void tinyModel() {
        model = TinyModel.write(tmp.resolve("model"), 7);
    }

    /**
     * Greedy decoding written out by hand, independent of the generator: the whole sequence re-run without KV cache
     * or padding at every step, argmax of the last position, until a stop id; the text of the new ids only.
     */
    static String byHand(Path dir, ChatPrompt p, int maxNew, List<Integer> stopIds) {
        try (Transformer m = Transformer.load(dir); Tokenizer tok = Tokenizer.open(dir)) {
            String rendered = "<s><|user|>" + p.user() + "<|end|><|assistant|>" + p.prefill(); // MiniFormat, written out
            List<Integer> ids = new ArrayList<>();
            for (int id : tok.encode(rendered, false)) {
                ids.add(id);
            }
            int start = ids.size();
            int vocab = m.config().vocabSize();
            for (int n = 0; n < maxNew; n++) {
                int[] seq = ids.stream().mapToInt(Integer::intValue).toArray();
                FloatTensor logits = m.logits(seq, null);
                int next = Sampler.argmax(Arrays.copyOfRange(logits.data(), (seq.length - 1) * vocab, seq.length * vocab));
                if (stopIds.contains(next)) {
                    break;
                }
                ids.add(next);
            }
            return tok.decode(ids.subList(start, ids.size()).stream().mapToInt(Integer::intValue).toArray(), true);
        }
    }

    @Test
    void batchedEqualsOneByOneAndGreedyByHand() {
        List<String> batched;
        List<String> single = new ArrayList<>();
        try (RuntimeCompletionModel m = RuntimeCompletionModel.open(model, Optional.empty(), AdapterMode.UNMERGED, 8)) {
            batched = m.complete(PROMPTS, MAX_NEW);
            for (ChatPrompt p : PROMPTS) {
                single.add(m.complete(List.of(p), MAX_NEW).get(0));
            }
        }
        assertEquals(single, batched, "a left-padded batch must give each prompt's batch-of-one text");
        assertTrue(batched.stream().distinct().count() > 1, "random prompts should not all give one text: " + batched);
        List<Integer> stops = List.of(MiniTokenizer.id(MiniTokenizer.EOS), MiniTokenizer.id("<|end|>"));
        for (int i = 0; i < PROMPTS.size(); i++) {
            assertEquals(byHand(model, PROMPTS.get(i), MAX_NEW, stops), batched.get(i), "prompt " + i);
        }
    }

    @Test
    void stopsAtAnEosIdAndDropsIt() throws Exception {
        // Find a token greedy decoding emits at step 3 (not before), then declare it an eos id in a copy of the folder.
        ChatPrompt p = PROMPTS.get(1);
        String free = byHand(model, p, 8, List.of());
        int stopAt = -1;
        try (Tokenizer tok = Tokenizer.open(model)) {
            int[] ids = tok.encode(free, false);
            for (int k = 1; k < ids.length && stopAt < 0; k++) {
                int t = ids[k];
                if (Arrays.stream(ids, 0, k).noneMatch(x -> x == t)) {
                    stopAt = k;
                }
            }
            assertTrue(stopAt > 0, "need a fresh token in " + free);
            Path copy = Files.createDirectories(tmp.resolve("model-eos"));
            for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")) {
                Files.copy(model.resolve(f), copy.resolve(f));
            }
            Files.writeString(copy.resolve("generation_config.json"), "{\"eos_token_id\": [2, " + ids[stopAt] + "]}");
            try (RuntimeCompletionModel m = RuntimeCompletionModel.open(copy, Optional.empty(), AdapterMode.UNMERGED, 8)) {
                assertEquals(tok.decode(Arrays.copyOf(ids, stopAt), true), m.complete(List.of(p), 8).get(0));
            }
        }
    }

    @Test
    void adapterUnmergedEqualsMergedAndChangesTheOutput() {
        Path adapter = tmp.resolve("adapter");
        PeftAdapter.write(adapter, randomLora(), "tiny", "test adapter", true);
        List<String> base;
        List<String> unmerged;
        List<String> merged;
        try (RuntimeCompletionModel m = RuntimeCompletionModel.open(model, Optional.empty(), AdapterMode.UNMERGED, 8)) {
            base = m.complete(PROMPTS, MAX_NEW);
        }
        try (RuntimeCompletionModel m = RuntimeCompletionModel.open(model, Optional.of(adapter), AdapterMode.UNMERGED, 8)) {
            unmerged = m.complete(PROMPTS, MAX_NEW);
        }
        try (RuntimeCompletionModel m = RuntimeCompletionModel.open(model, Optional.of(adapter), AdapterMode.MERGED, 8)) {
            merged = m.complete(PROMPTS, MAX_NEW);
        }
        assertEquals(unmerged, merged, "merged and unmerged adapters");
        assertNotEquals(base, unmerged, "a large random adapter should change some output");
    }

    static LoraWeights randomLora() {
        LoraConfig cfg = new LoraConfig(4, 16, true, 0, List.of("q_proj", "v_proj"));
        SplittableRandom r = new SplittableRandom(3);
        Map<LoraWeights.Site, LoraWeights.Pair> pairs = new LinkedHashMap<>();
        int kv = TinyModel.HIDDEN / 4 * 2; // 2 KV heads of width 8
        for (int l = 0; l < 2; l++) {
            pairs.put(new LoraWeights.Site(l, "q_proj"), new LoraWeights.Pair(rand(r, 4, TinyModel.HIDDEN), rand(r, TinyModel.HIDDEN, 4)));
            pairs.put(new LoraWeights.Site(l, "v_proj"), new LoraWeights.Pair(rand(r, 4, TinyModel.HIDDEN), rand(r, kv, 4)));
        }
        return new LoraWeights(cfg, pairs);
    }

    static FloatTensor rand(SplittableRandom r, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextDouble(-0.5, 0.5);
        }
        return new FloatTensor(v, new long[] {rows, cols});
    }
}
