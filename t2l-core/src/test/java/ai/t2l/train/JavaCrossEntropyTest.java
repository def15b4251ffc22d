package ai.t2l.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The Java-made cross-entropy against the engine's {@link Losses#crossEntropy}: value and gradient. */
class JavaCrossEntropyTest {
    private static final int B = 3;
    private static final int S = 6;
    private static final int V = 45; // two 16-lane vectors and a tail

    @Test
    void valueAndGradientAreTheEnginesForEveryReductionAndSmoothing() {
        Random r = new Random(8);
        float[] logits = new float[B * S * V];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (r.nextGaussian() * 3);
        }
        int[][] labels = new int[B][S];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < S; t++) {
                // row 0: the first half masked, as the SFT prompt; row 2: no target at all (contributes 0)
                labels[b][t] = b == 2 || (b == 0 && t < S / 2) ? Losses.IGNORE : r.nextInt(V);
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            for (Losses.Reduction reduction : Losses.Reduction.values()) {
                for (double smoothing : new double[] {0, 0.1}) {
                    String what = reduction + ", smoothing " + smoothing;
                    Object[] engine = step(m, logits, s -> Losses.crossEntropy(s.logits, s.manager.create(labels),
                            smoothing, reduction));
                    Object[] java = step(m, logits, s -> JavaCrossEntropy.loss(s.manager, s.logits, labels, smoothing,
                            reduction));
                    double value = (double) engine[0];
                    assertTrue(value > 0.5, what + ": " + value);
                    assertEquals(value, (double) java[0], 2e-6 * value, what);
                    float[] ge = (float[]) engine[1];
                    float[] gj = (float[]) java[1];
                    double largest = 0;
                    for (float v : ge) {
                        largest = Math.max(largest, Math.abs(v));
                    }
                    for (int i = 0; i < ge.length; i++) {
                        assertEquals(ge[i], gj[i], 2e-6 * largest, what + ", logit " + i);
                    }
                }
            }
        }
    }

    @Test
    void aLabelOutsideTheVocabularyIsNamed() {
        int[][] labels = new int[B][S];
        labels[1][4] = V;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.zeros(new Shape(B, S, V));
            var e = assertThrows(IllegalArgumentException.class,
                    () -> JavaCrossEntropy.loss(m, logits, labels, 0, Losses.Reduction.TOKEN_MEAN));
            assertTrue(e.getMessage().contains("label 45 at row 1, position 4"), e.getMessage());
        }
    }

    @Test
    void labelsOfAnotherShapeAreNamed() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.zeros(new Shape(B, S, V));
            var rows = assertThrows(IllegalArgumentException.class,
                    () -> JavaCrossEntropy.loss(m, logits, new int[B - 1][S], 0, Losses.Reduction.TOKEN_MEAN));
            assertTrue(rows.getMessage().contains("2 label rows for 3"), rows.getMessage());
            int[][] shortRow = new int[B][S];
            shortRow[2] = new int[S - 1];
            var positions = assertThrows(IllegalArgumentException.class,
                    () -> JavaCrossEntropy.loss(m, logits, shortRow, 0, Losses.Reduction.TOKEN_MEAN));
            assertTrue(positions.getMessage().contains("label row 2 has 5 positions, the logits 6"),
                    positions.getMessage());
        }
    }

    private record Scope(NDManager manager, NDArray logits) {}

    /** The loss's value and the logits' gradient, the logits a fresh trainable array. */
    private static Object[] step(NDManager m, float[] logits, Function<Scope, NDArray> loss) {
        try (NDManager s = m.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray x = s.create(logits, new Shape(B, S, V));
            x.setRequiresGradient(true);
            NDArray l = loss.apply(new Scope(s, x.mul(s.create(1f)))); // an op between: the logits of a model
            double value = l.toType(DataType.FLOAT64, false).getDouble();
            gc.backward(l);
            return new Object[] {value, x.getGradient().toFloatArray()};
        }
    }
}
