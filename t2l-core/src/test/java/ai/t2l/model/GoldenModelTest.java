package ai.t2l.model;

import static ai.t2l.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.t2l.generate.GenerationConfig;
import ai.t2l.generate.Generator;
import ai.t2l.generate.TokenListener;
import ai.t2l.io.FloatTensor;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Parity with HF transformers 4.46 on every golden model (fixtures/golden/<family>/README.md). */
class GoldenModelTest {
    static final double ATOL = 1e-4;
    static final Golden[] FIXTURES = Golden.ALL;

    @ParameterizedTest(name = "{0}")
    @FieldSource("FIXTURES")
    void logitsOfBothPrompts(Golden g) {
        for (int s = 0; s < 2; s++) {
            int[] ids = g.prompt(s);
            FloatTensor expected = g.tensor("logits_" + s);
            FloatTensor got = g.model().logits(ids, null);
            double err = assertClose(g + " logits_" + s, expected, got.data(),
                    new long[] {1, ids.length, got.shape()[1]}, ATOL);
            System.out.printf("%s logits_%d max |diff| %.2e%n", g, s, err);
        }
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("FIXTURES")
    void hiddenStatesFollowHfConvention(Golden g) {
        Transformer m = g.model();
        FloatTensor expected = g.tensor("hidden_states_0");
        try (NDManager scope = m.manager().newSubManager()) {
            var out = m.forward(scope, ForwardInput.of(g.prompt(0)).withHiddenStates());
            assertEquals(m.config().numLayers() + 1, out.hiddenStates().size(), "number of hidden states");
            NDArray stacked = ai.djl.ndarray.NDArrays.concat(out.hiddenStates(), 0); // (layers+1, seq, hidden)
            double err = assertClose(g + " hidden_states_0", expected, stacked.toFloatArray(),
                    stacked.getShape().getShape(), ATOL);
            System.out.printf("%s hidden_states_0 max |diff| %.2e%n", g, err);
        }
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("FIXTURES")
    void greedyContinuationIsExact(Golden g) {
        try (Generator gen = new Generator(g.model())) {
            for (int s = 0; s < 2; s++) {
                int[] tokens = gen.generate(g.prompt(s), null, GenerationConfig.greedy(12), TokenListener.NONE).tokens();
                assertArrayEquals(g.greedy(s), tokens, g + " seq" + s + " greedy tokens: expected "
                        + Arrays.toString(g.greedy(s)) + ", found " + Arrays.toString(tokens));
            }
        }
    }

    /** Teacher forcing through the KV cache: prefill the prompt, then feed the expected tokens one at a time. */
    @ParameterizedTest(name = "{0}")
    @FieldSource("FIXTURES")
    void cachedDecodingReproducesFullForwardRows(Golden g) {
        Transformer m = g.model();
        int vocab = m.config().vocabSize();
        for (int s = 0; s < 2; s++) {
            int[] prompt = g.prompt(s);
            int[] fed = g.greedy(s);
            FloatTensor expected = g.tensor("logits_greedy_" + s); // (1, L + 12, vocab)
            double worst = 0;
            try (NDManager scope = m.manager().newSubManager(); KvCache cache = m.newCache(4)) {
                float[] pre = m.forward(scope, ForwardInput.of(prompt).withCache(cache)).logits().toFloatArray();
                worst = assertClose(g + " logits_greedy_" + s + " prefill rows 0.." + (prompt.length - 1),
                        expected.data(), 0, pre, 0, prompt.length * vocab, expected.shape(), ATOL);
                for (int t = 0; t < fed.length; t++) {
                    float[] row = m.forward(scope, ForwardInput.of(new int[] {fed[t]}).withCache(cache)).logits()
                            .toFloatArray();
                    int at = prompt.length + t;
                    worst = Math.max(worst, assertClose(g + " logits_greedy_" + s + " cached step " + t + " (row "
                            + at + ")", expected.data(), at * vocab, row, 0, vocab, expected.shape(), ATOL));
                }
            }
            System.out.printf("%s logits_greedy_%d (KV cache) max |diff| %.2e%n", g, s, worst);
        }
    }
}
