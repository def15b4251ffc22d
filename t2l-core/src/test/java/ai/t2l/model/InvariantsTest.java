package ai.t2l.model;

import static ai.t2l.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.t2l.Shared;
import ai.t2l.lora.LoraBatch;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Properties that catch whole classes of bugs (DESIGN §5), on the golden models. */
class InvariantsTest {
    static final double ATOL = 1e-4;
    static final Golden[] FAMILIES = {Golden.LLAMA, Golden.MISTRAL, Golden.GEMMA2, Golden.QWEN2};

    /** Nothing here may leave its mark on the models the golden tests share (issue 13.6: order dependence). */
    @AfterAll
    static void sharedModelsAreUntouched() {
        Golden.assertCachedModelsUntouched();
    }

    /** seq1 followed by its greedy tokens: 31 tokens, longer than Gemma 2's window of 8. */
    static int[] longIds(Golden g) {
        int[] p = g.prompt(1);
        int[] n = g.greedy(1);
        int[] all = Arrays.copyOf(p, p.length + n.length);
        System.arraycopy(n, 0, all, p.length, n.length);
        return all;
    }

    /** Prefill all at once == prefill a chunk then one token at a time == uneven chunks. */
    @ParameterizedTest(name = "{0}")
    @FieldSource("FAMILIES")
    void prefillEqualsTokenByTokenDecoding(Golden g) {
        Transformer m = g.model();
        int[] ids = longIds(g);
        int vocab = m.config().vocabSize();
        float[] full = m.logits(ids, null).data();
        for (int[] chunks : new int[][] {ones(ids.length), {5, 1, 9, 3, 13}}) {
            try (NDManager scope = m.manager().newSubManager(); KvCache cache = m.newCache(2)) {
                int at = 0;
                for (int c : chunks) {
                    float[] part = m.forward(scope, ForwardInput.of(Arrays.copyOfRange(ids, at, at + c))
                            .withCache(cache)).logits().toFloatArray();
                    assertClose(g + " chunks " + Arrays.toString(chunks) + ": positions " + at + ".." + (at + c - 1),
                            full, at * vocab, part, 0, c * vocab, new long[] {ids.length, vocab}, ATOL);
                    at += c;
                }
            }
        }
    }

    private static int[] ones(int n) {
        int[] a = new int[n];
        Arrays.fill(a, 1);
        return a;
    }

    /** Rows of different lengths padded on the left or the right give each row's own logits at its real tokens. */
    @ParameterizedTest(name = "{0}")
    @FieldSource("FAMILIES")
    void paddedBatchEqualsRowsAlone(Golden g) {
        Transformer m = g.model();
        List<int[]> rows = List.of(g.prompt(0), longIds(g), g.prompt(1));
        assertBatchMatchesRows(m, rows, null, true);
        assertBatchMatchesRows(m, rows, null, false);
    }

    /**
     * A prompt of more rows than {@link Transformer#prefillRows} fills the cache in chunks of positions: the same last
     * logits and next step as in one call, also when a left-padded row's first chunk is all padding.
     */
    @ParameterizedTest(name = "{0}")
    @FieldSource("FAMILIES")
    void longPromptPrefillsInChunksLikeOneCall(Golden g) {
        Transformer m = g.model();
        int[][] ids = {longIds(g), longIds(g).clone()};
        int seq = ids[0].length;
        int[][] mask = {ones(seq), ones(seq)};
        for (int t = 0; t < 6; t++) {
            ids[1][t] = 0;
            mask[1][t] = 0; // six positions of left padding: more than a chunk of four
        }
        int vocab = m.config().vocabSize();
        int saved = Transformer.prefillRows;
        float[][] out = new float[2][];
        try {
            for (int v = 0; v < 2; v++) {
                Transformer.prefillRows = v == 0 ? Integer.MAX_VALUE : 8; // then 4 positions per call at batch 2
                try (NDManager scope = m.manager().newSubManager(); KvCache cache = m.newCache(2)) {
                    ForwardInput prompt = ForwardInput.of(ids).withMask(mask).withCache(cache).withLastOnly();
                    assertEquals(v == 0 ? seq : 4, Transformer.prefillChunk(prompt));
                    float[] last = m.forward(scope, prompt).logits().toFloatArray();
                    int[][] next = {{ids[0][2]}, {ids[0][3]}};
                    float[] step = m.forward(scope, ForwardInput.of(next).withCache(cache).withLastOnly()).logits()
                            .toFloatArray();
                    out[v] = Arrays.copyOf(last, 4 * vocab);
                    System.arraycopy(step, 0, out[v], 2 * vocab, 2 * vocab);
                }
            }
        } finally {
            Transformer.prefillRows = saved;
        }
        assertClose(g + " prompt of " + seq + " positions in chunks of 4", out[0], 0, out[1], 0, out[0].length,
                new long[] {4, vocab}, ATOL);
    }

    /** Attention computed in query chunks (long batched prompts) equals attention over all queries at once. */
    @ParameterizedTest(name = "{0}")
    @FieldSource("FAMILIES")
    void chunkedAttentionEqualsWholeAttention(Golden g) {
        Transformer m = g.model();
        int[][] ids = {longIds(g), longIds(g).clone()};
        ids[1][3] = ids[0][5]; // two different rows
        long saved = Transformer.scoreChunkFloats;
        try (NDManager scope = m.manager().newSubManager()) {
            float[] whole = m.forward(scope, ForwardInput.of(ids)).logits().toFloatArray();
            // chunks of 1 and of 4 query positions (the last chunk shorter)
            for (long floats : new long[] {1, 4L * 2 * m.config().numHeads() * ids[0].length}) {
                Transformer.scoreChunkFloats = floats;
                float[] chunked = m.forward(scope, ForwardInput.of(ids)).logits().toFloatArray();
                assertClose(g + " attention in chunks of " + floats + " floats", whole, 0, chunked, 0, whole.length,
                        new long[] {2, ids[0].length, m.config().vocabSize()}, 1e-5);
            }
        } finally {
            Transformer.scoreChunkFloats = saved;
        }
    }

    /** Row r of a batch with per-row adapters equals row r run alone with its adapter (or none). */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void perRowAdaptersEqualEachRowAlone(boolean leftPad) {
        Transformer m = Golden.LLAMA.model();
        LoraWeights qv = PeftAdapter.read(Shared.golden("peft", "llama_qv", "adapter"));
        LoraWeights all = PeftAdapter.read(Shared.golden("peft", "llama_all", "adapter"));
        List<int[]> rows = List.of(Golden.LLAMA.prompt(1), Golden.LLAMA.prompt(0), Golden.LLAMA.prompt(1));
        assertBatchMatchesRows(m, rows, Arrays.asList(qv, all, null), leftPad);
    }

    /** An adapter whose B is zero leaves the base logits unchanged. */
    @ParameterizedTest(name = "{0}")
    @FieldSource("FAMILIES")
    void zeroBAdapterEqualsBase(Golden g) {
        Transformer m = g.model();
        LoraWeights zeroB = LoraFixtures.random(m.config(), 4, 8, true, 7, 0f);
        int[] ids = g.prompt(1);
        try (LoraBatch lora = LoraBatch.shared(m.manager(), zeroB)) {
            assertClose(g + " B=0 adapter vs base", m.logits(ids, null), m.logits(ids, lora).data(),
                    new long[] {ids.length, m.config().vocabSize()}, 1e-6);
        }
    }

    /** y = Wx + s·B(Ax) equals (W + s·BA)x, here with rsLoRA scaling and every projection adapted. */
    @ParameterizedTest(name = "{0}")
    @FieldSource("FAMILIES")
    void mergedEqualsUnmerged(Golden g) {
        try (Transformer m = g.ownCopy()) { // merging changes the weights: not the model other tests share
            mergedEqualsUnmerged(g, m);
        }
    }

    private static void mergedEqualsUnmerged(Golden g, Transformer m) {
        LoraWeights adapter = LoraFixtures.random(m.config(), 4, 8, true, 11, 0.05f);
        int[] ids = g.prompt(1);
        float[] unmerged;
        try (LoraBatch lora = LoraBatch.shared(m.manager(), adapter)) {
            unmerged = m.logits(ids, lora).data();
        }
        float[] base = m.logits(ids, null).data();
        try (Transformer.Merged merged = m.merge(adapter, "random adapter")) {
            double err = assertClose(g + " merged vs unmerged", m.logits(ids, null), unmerged,
                    new long[] {ids.length, m.config().vocabSize()}, ATOL);
            double moved = IntStream.range(0, base.length).mapToDouble(i -> Math.abs(base[i] - unmerged[i])).max()
                    .orElse(0);
            if (moved < 1e-2) {
                throw new AssertionError(g + ": the random adapter barely changes the logits (" + moved
                        + "), so merged == unmerged proves nothing");
            }
            System.out.printf("%s merged vs unmerged max |diff| %.2e (adapter moves logits by %.2f)%n", g, err, moved);
        }
        assertClose(g + " after unmerge vs base", m.logits(ids, null), base,
                new long[] {ids.length, m.config().vocabSize()}, 1e-5);
    }

    /**
     * Runs {@code rows} as one padded batch and each row alone; compares logits at every real token.
     * @param adapters one per row (null entries: base), or null for no adapters
     */
    static void assertBatchMatchesRows(Transformer m, List<int[]> rows, List<LoraWeights> adapters,
            boolean leftPad) {
        int b = rows.size();
        int len = rows.stream().mapToInt(r -> r.length).max().orElseThrow();
        int vocab = m.config().vocabSize();
        int[][] ids = new int[b][len];
        int[][] mask = new int[b][len];
        for (int r = 0; r < b; r++) {
            int[] row = rows.get(r);
            int off = leftPad ? len - row.length : 0;
            System.arraycopy(row, 0, ids[r], off, row.length);
            Arrays.fill(mask[r], off, off + row.length, 1);
        }
        try (NDManager scope = m.manager().newSubManager();
                LoraBatch lora = adapters == null ? null : LoraBatch.of(m.manager(), adapters)) {
            float[] batch = m.forward(scope, ForwardInput.of(ids).withMask(mask).withLora(lora)).logits().toFloatArray();
            for (int r = 0; r < b; r++) {
                int[] row = rows.get(r);
                List<LoraWeights> own = new ArrayList<>();
                own.add(adapters == null ? null : adapters.get(r));
                try (LoraBatch single = own.get(0) == null ? null : LoraBatch.of(m.manager(), own)) {
                    float[] alone = m.logits(row, single).data();
                    int off = leftPad ? len - row.length : 0;
                    assertClose((leftPad ? "left" : "right") + "-padded batch row " + r + " (length " + row.length
                            + ", adapter " + (own.get(0) != null) + ") vs alone", alone, 0, batch,
                            (r * len + off) * vocab, row.length * vocab, new long[] {row.length, vocab}, ATOL);
                }
            }
        }
    }
}
