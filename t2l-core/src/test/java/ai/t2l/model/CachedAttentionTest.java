package ai.t2l.model;

import static ai.t2l.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import ai.t2l.compute.CachedAttention;
import ai.t2l.compute.F32Matrix;
import ai.t2l.compute.WeightPrecision;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Decode's attention in Java over the KV cache ({@link CachedAttention}), on the golden models of the four families
 * (grouped-query heads; Gemma 2's window of 8, soft-capping and scale; Qwen 2's biases): a batch of a plain and a
 * left-padded row, prompted four positions at a time and then decoded one position per call, gives each row's
 * logits as the engine computes them for that row alone in one call; with float32 weights and with int8 ones.
 */
class CachedAttentionTest {
    @AfterAll
    static void sharedModelsAreUntouched() {
        Golden.assertCachedModelsUntouched();
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("ai.t2l.model.InvariantsTest#FAMILIES")
    void decodingOverTheCacheGivesEachRowsOwnLogits(Golden g) {
        assumeTrue(CachedAttention.available() && F32Matrix.javaKernelAvailable(), "no Vector API in this JVM");
        check(g, g.model());
    }

    /** The same with int8 weights: the attention does not depend on the weights' type, and runs for every type. */
    @ParameterizedTest(name = "{0}")
    @FieldSource("ai.t2l.model.InvariantsTest#FAMILIES")
    void decodingAnInt8ModelOverTheCacheGivesEachRowsOwnLogits(Golden g) {
        assumeTrue(CachedAttention.available() && F32Matrix.javaKernelAvailable(), "no Vector API in this JVM");
        try (Transformer m = Transformer.load(g.dir(), WeightPrecision.INT8)) {
            check(g, m);
        }
    }

    private static void check(Golden g, Transformer m) {
        int[] ids = InvariantsTest.longIds(g);
        int seq = ids.length;
        int pad = 6;
        int vocab = m.config().vocabSize();
        float[][] alone = {m.logits(ids, null).data(), m.logits(Arrays.copyOfRange(ids, pad, seq), null).data()};
        int[][] rows = {ids.clone(), ids.clone()};
        int[][] mask = {ones(seq), ones(seq)};
        for (int t = 0; t < pad; t++) {
            rows[1][t] = 0;
            mask[1][t] = 0;
        }
        // Java products on matrices of any size: the golden models' are small, and decode then takes the Java path
        float[] java = F32Matrix.withJavaRows(16, () -> decode(m, rows, mask));
        for (int r = 0; r < 2; r++) {
            int first = r == 0 ? 0 : pad;
            for (int t = first; t < seq; t++) {
                assertClose(g + " row " + r + ", position " + t, alone[r], (t - first) * vocab, java,
                        (r * seq + t) * vocab, vocab, new long[] {vocab}, InvariantsTest.ATOL);
            }
        }
        Transformer.engineAttention = true;
        try {
            float[] engine = F32Matrix.withJavaRows(16, () -> decode(m, rows, mask));
            assertFalse(Arrays.equals(java, engine), "the Java attention ran (its sums differ in the last bits)");
        } finally {
            Transformer.engineAttention = false;
        }
    }

    /** Every position's logits, (rows, seq, vocab): four positions per call, then one. */
    private static float[] decode(Transformer m, int[][] rows, int[][] mask) {
        int seq = rows[0].length;
        int vocab = m.config().vocabSize();
        float[] out = new float[rows.length * seq * vocab];
        try (NDManager scope = m.manager().newSubManager(); KvCache cache = m.newCache(2)) {
            for (int at = 0, c = 4; at < seq; at += c, c = 1) {
                float[] part = m.forward(scope, ForwardInput.of(Transformer.columns(rows, at, at + c))
                        .withMask(Transformer.columns(mask, at, at + c)).withCache(cache)).logits().toFloatArray();
                for (int r = 0; r < rows.length; r++) {
                    System.arraycopy(part, r * c * vocab, out, (r * seq + at) * vocab, c * vocab);
                }
            }
        }
        return out;
    }

    private static int[] ones(int n) {
        int[] a = new int[n];
        Arrays.fill(a, 1);
        return a;
    }
}
