package ai.t2l.model;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.t2l.compute.Bf16DotLibrary;
import ai.t2l.compute.F32Matrix;
import ai.t2l.compute.ProductPrecision;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The optional bf16 dot products of a float32 model ({@code --products bf16dot}, {@link F32Matrix#panelPrecision})
 * against the golden logits of every float32 fixture: how far the logits of both prompts move (the prompts run on the
 * panel products) and how often the greedy choice of a position changes. Not a parity test: the rounding is the
 * point. The bounds are about 3× what was measured on 2026-12-06 (docs/PERFORMANCE.md), so a product that read the
 * wrong rows or columns fails them by orders of magnitude; and something must have been rounded.
 */
class Bf16DotProductsGoldenTest {
    static final Golden[] FIXTURES = {Golden.LLAMA, Golden.LLAMA_BF16, Golden.MISTRAL, Golden.GEMMA2, Golden.QWEN2};
    /**
     * Largest |Δlogit| against HF's logits over the largest |logit| (measured 0.0089–0.0165 on 2026-12-06; the greedy
     * choice changed at 0–1 of 26 positions per fixture).
     */
    private static final double LOGITS_REL = 0.05;

    @ParameterizedTest(name = "{0}")
    @FieldSource("FIXTURES")
    void promptLogitsStayCloseToTheReference(Golden g) {
        Bf16DotLibrary.require();
        assumeTrue(F32Matrix.panelsPayHere(), "panel products need a vector kernel for the head tile");
        // every matrix on the Java path (the fixtures' are small), so the model allows its panel copies
        try (Transformer m = F32Matrix.withJavaRows(16, g::ownCopy)) {
            m.productPrecision(ProductPrecision.BF16_DOT);
            double worst = 0;
            double scale = 0;
            int positions = 0;
            int changed = 0;
            for (int s = 0; s < 2; s++) {
                int[] ids = g.prompt(s);
                assertTrue(ids.length >= F32Matrix.PANEL_ROWS, g + ": a prompt too short for the panel products");
                float[] want = g.tensor("logits_" + s).data();
                float[] got = F32Matrix.withJavaRows(16, () -> m.logits(ids, null)).data();
                int vocab = got.length / ids.length;
                for (int i = 0; i < want.length; i++) {
                    worst = Math.max(worst, Math.abs(want[i] - got[i]));
                    scale = Math.max(scale, Math.abs(want[i]));
                }
                for (int p = 0; p < ids.length; p++, positions++) {
                    changed += argmax(want, p * vocab, vocab) != argmax(got, p * vocab, vocab) ? 1 : 0;
                }
            }
            System.out.printf("bf16dot products %-12s logits max|Δ| %.3g (%.3g of max |logit| %.3g); greedy choice"
                    + " changed at %d of %d positions%n", g, worst, worst / scale, scale, changed, positions);
            assertTrue(worst > 1e-5, g + ": the logits did not move: did the products run in bf16?");
            assertTrue(worst / scale <= LOGITS_REL, g + ": logits moved by " + worst + " of " + scale);
        }
    }

    /**
     * bf16 weights used in place: a prompt long enough for their prompt products (the golden prompts repeated to 64
     * tokens, past {@code HalfMatrix}'s 48 rows: {@code Bf16Groups}) and a golden prompt itself (under 48 rows:
     * {@code Bf16Rows}' dot form) move by the activations' rounding only, against the same model's float32 products
     * (which match HF's within 1e-4 on the golden prompts, GoldenModelTest).
     */
    @org.junit.jupiter.api.Test
    void bf16WeightsInPlaceMoveByTheActivationsRounding() {
        Bf16DotLibrary.require();
        int[] a = Golden.LLAMA_BF16_STORED.prompt(0);
        int[] b = Golden.LLAMA_BF16_STORED.prompt(1);
        int[] repeated = new int[64];
        for (int i = 0; i < repeated.length; i++) {
            repeated[i] = i % 2 == 0 ? a[(i / 2) % a.length] : b[(i / 2) % b.length];
        }
        for (int[] ids : new int[][] {repeated, a}) {
            try (Transformer m = Golden.LLAMA_BF16_STORED.ownCopy()) {
                float[] want = m.logits(ids, null).data();
                m.productPrecision(ProductPrecision.BF16_DOT);
                float[] got = m.logits(ids, null).data();
                double worst = 0;
                double scale = 0;
                for (int i = 0; i < want.length; i++) {
                    worst = Math.max(worst, Math.abs(want[i] - got[i]));
                    scale = Math.max(scale, Math.abs(want[i]));
                }
                System.out.printf("bf16dot products llama_bf16 in place, %d tokens: logits max|Δ| %.3g (%.3g of"
                        + " %.3g)%n", ids.length, worst, worst / scale, scale);
                assertTrue(worst > 1e-5, ids.length + " tokens: the logits did not move: did the prompt run in bf16"
                        + " dot products?");
                assertTrue(worst / scale <= LOGITS_REL, ids.length + " tokens: logits moved by " + worst + " of "
                        + scale);
            }
        }
    }

    private static int argmax(float[] v, int from, int n) {
        int best = from;
        for (int i = from + 1; i < from + n; i++) {
            best = v[i] > v[best] ? i : best;
        }
        return best - from;
    }
}
