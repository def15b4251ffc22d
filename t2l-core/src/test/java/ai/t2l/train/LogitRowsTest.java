package ai.t2l.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.t2l.model.ModelConfig;
import ai.t2l.model.Transformer;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * The loss from the logits of the target positions only ({@link TrainableLm#logitsAt}, {@link JavaCrossEntropy#lossAt})
 * against the loss from every position's logits: the same value and the same gradient, through the runtime
 * Transformer (which skips the LM head on the other positions) and through the default (which gathers).
 */
class LogitRowsTest {
    private static final int B = 3;
    private static final int S = 7;

    /** Row 0 with a masked prompt (as SFT), row 1 all targets, row 2 none, and padding (−100) at some ends. */
    private static int[][] labels(int vocab) {
        Random r = new Random(5);
        int[][] labels = new int[B][S];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < S; t++) {
                boolean target = b == 1 || (b == 0 && t >= 3 && t < S - 1);
                labels[b][t] = target ? r.nextInt(vocab) : Losses.IGNORE;
            }
        }
        return labels;
    }

    @Test
    void targetRowsAreThePositionsWhoseNextTokenIsATarget() {
        int[][] labels = {{-100, -100, 4, 5}, {-100, -100, -100, -100}, {1, 2, -100, 3}};
        assertArrayEquals(new int[] {1, 2, 8, 10}, JavaCrossEntropy.targetRows(labels));
    }

    @Test
    void theRuntimeTransformerGivesTheFullLossAndGradient() {
        ModelConfig mc = RandomModel.config(Toy.VOCAB, 32, 2, 4, 2, 64);
        try (Transformer model = RandomModel.create(mc, 3)) {
            sameLossAndGradient(new TransformerLm(model), 2e-6);
        }
    }

    @Test
    void theDefaultGatherGivesTheFullLossAndGradient() {
        try (TinyLm lm = new TinyLm(Toy.VOCAB, 16, 1, 4, DataType.FLOAT32)) {
            sameLossAndGradient(lm, 0);
        }
    }

    @Test
    void aRowOutsideTheBatchIsNamed() {
        ModelConfig mc = RandomModel.config(Toy.VOCAB, 32, 2, 4, 2, 64);
        try (Transformer model = RandomModel.create(mc, 3); NDManager m = NDManager.newBaseManager()) {
            NDArray ids = m.zeros(new Shape(2, 3), DataType.INT64);
            var e = assertThrows(IllegalArgumentException.class,
                    () -> new TransformerLm(model).logitsAt(ids, null, null, new int[] {0, 6}));
            assertTrue(e.getMessage().contains("row 6 is outside the 6 rows"), e.getMessage());
        }
    }

    /**
     * Value and the gradient w.r.t. the input embeddings (the NEFTune noise carries it) from both paths, for each
     * reduction and with label smoothing. {@code tolerance} relative: 0 where the same products run on the same rows.
     */
    private static void sameLossAndGradient(TrainableLm lm, double tolerance) {
        int vocab = lm.vocabSize();
        int[][] labels = labels(vocab);
        int[] rows = JavaCrossEntropy.targetRows(labels);
        assertEquals(S - 1 + 3, rows.length);
        Random r = new Random(6);
        long[] ids = new long[B * S];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.nextInt(vocab);
        }
        for (Losses.Reduction reduction : Losses.Reduction.values()) {
            Object[] all = step(lm, ids, (m, x) -> JavaCrossEntropy.loss(m, lm.logits(x[0], null, x[1]), labels, 0.1,
                    reduction));
            Object[] some = step(lm, ids, (m, x) -> JavaCrossEntropy.lossAt(m, lm.logitsAt(x[0], null, x[1], rows),
                    rows, labels, 0.1, reduction));
            double value = (double) all[0];
            assertTrue(value > 0.1, reduction + ": " + value);
            assertEquals(value, (double) some[0], tolerance * value, reduction + ": loss");
            float[] ga = (float[]) all[1];
            float[] gs = (float[]) some[1];
            double largest = 0;
            for (float v : ga) {
                largest = Math.max(largest, Math.abs(v));
            }
            assertTrue(largest > 0, reduction + ": no gradient");
            for (int i = 0; i < ga.length; i++) {
                assertEquals(ga[i], gs[i], tolerance * largest, reduction + ": gradient " + i);
            }
        }
    }

    /** {loss value, gradient w.r.t. the embedding noise} of one forward and backward. */
    private static Object[] step(TrainableLm lm, long[] ids, BiFunction<NDManager, NDArray[], NDArray> loss) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(ids, new Shape(B, S));
            NDArray noise = m.zeros(new Shape(B, S, lm.hiddenSize()), lm.dataType());
            noise.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray l = loss.apply(m, new NDArray[] {x, noise});
                double value = l.toType(DataType.FLOAT64, false).getDouble();
                gc.backward(l);
                return new Object[] {value, noise.getGradient().toFloatArray()};
            }
        }
    }
}
