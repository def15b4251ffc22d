package ai.t2l.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.io.FloatTensor;
import ai.t2l.io.T2lException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reference's lora_mixing: A and B mixed separately with the given weights (issue 12 item 13). */
class LoraMixingTest {
    private static LoraWeights lora(float a, float b) {
        LoraConfig c = new LoraConfig(2, 16, true, 0.05, List.of("q_proj"));
        return new LoraWeights(c, Map.of(new LoraWeights.Site(0, "q_proj"), new LoraWeights.Pair(
                new FloatTensor(new float[] {a, a, a, a, a, a}, new long[] {2, 3}),
                new FloatTensor(new float[] {b, b, b, b}, new long[] {2, 2}))));
    }

    @Test
    void mixesAAndBSeparately() {
        LoraWeights m = LoraMixing.mix(List.of(lora(1, 10), lora(3, 30)), new double[] {0.25, 0.75});
        LoraWeights.Pair p = m.pairs().get(new LoraWeights.Site(0, "q_proj"));
        assertArrayEquals(new float[] {2.5f, 2.5f, 2.5f, 2.5f, 2.5f, 2.5f}, p.a().data(), 1e-6f);
        assertArrayEquals(new float[] {25f, 25f, 25f, 25f}, p.b().data(), 1e-6f);
        // not ΔW mixing: 0.25·(B1·A1) + 0.75·(B2·A2) = 0.25·20 + 0.75·180 = 140 per element; here B·A = 2·25·2.5 = 125
    }

    @Test
    void mismatchedAdaptersAreRefusedClearly() {
        T2lException e = assertThrows(T2lException.class,
                () -> LoraMixing.mix(List.of(lora(1, 1), lora(1, 1)), new double[] {1}));
        assertTrue(e.getMessage().contains("2 adapters but 1 weights"), e.getMessage());
    }
}
