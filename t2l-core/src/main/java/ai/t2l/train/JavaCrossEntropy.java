package ai.t2l.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.t2l.compute.CrossEntropyRow;
import ai.t2l.compute.Staging;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.stream.IntStream;

/**
 * {@link Losses#crossEntropy} with its value and its gradient w.r.t. the logits made in Java, one row of logits at a
 * time ({@link CrossEntropyRow}), the engine only carrying the gradient ({@link CarriedGradient}). The same
 * function: next-token targets (position t predicts label t + 1), ignore index −100, label smoothing, the three
 * reductions; the gradient differs from the engine's log-softmax backward by float rounding only
 * (JavaCrossEntropyTest).
 *
 * <p>Why: on the engine, log-softmax, the gather, the smoothing mean and their backward made about ten passes over the
 * (batch, seq, vocab) logits, 64 MB in the SFT step of BENCHMARKS-WORKLOADS §3, about 65 ms of a 0.52 s step
 * (BENCHMARKS.md, issue 16, fourteenth session). {@link #lossAt} takes the logits of the positions with a target
 * only, so that the LM head need not run on the others (the SFT prompt's half of each sequence).
 */
final class JavaCrossEntropy {
    private JavaCrossEntropy() {}

    /**
     * Whether this path computes the loss of these logits ((batch, seq, vocab), {@link CarriedGradient#fits});
     * otherwise use {@link Losses#crossEntropy}.
     */
    static boolean handles(NDArray logits) {
        return logits.getShape().dimension() == 3 && CarriedGradient.fits(logits);
    }

    /**
     * Whether this path computes the loss from {@code rows} target positions of {@code lm}'s logits ({@link #lossAt}):
     * at least one target, and logits that {@link CarriedGradient#fits} (float32, at most 2 GB).
     */
    static boolean handles(TrainableLm lm, int rows) {
        return rows > 0 && CarriedGradient.fits(lm.dataType(), (long) rows * lm.vocabSize());
    }

    /**
     * @param logits (batch, seq, vocab) float32
     * @param labels batch × seq, −100 where not a target
     */
    static NDArray loss(NDManager scope, NDArray logits, int[][] labels, double smoothing, Losses.Reduction reduction) {
        Shape shape = logits.getShape();
        int batch = (int) shape.get(0);
        int seq = (int) shape.get(1);
        if (labels.length != batch) {
            throw new IllegalArgumentException("cross-entropy: " + labels.length + " label rows for " + batch);
        }
        for (int b = 0; b < batch; b++) {
            if (labels[b].length != seq) {
                throw new IllegalArgumentException("cross-entropy: label row " + b + " has " + labels[b].length
                        + " positions, the logits " + seq);
            }
        }
        return loss(scope, logits.reshape(batch * seq, shape.get(2)), null, labels, smoothing, reduction);
    }

    /**
     * The same loss from the logits of the positions that have a target only ({@link #targetRows}): the others add
     * nothing to the value and get a zero gradient, so their logits need not be computed.
     *
     * @param logits (rows.length, vocab) float32, row i the logits of position rows[i]
     * @param rows {@link #targetRows} of {@code labels}
     */
    static NDArray lossAt(NDManager scope, NDArray logits, int[] rows, int[][] labels, double smoothing,
            Losses.Reduction reduction) {
        if (logits.getShape().dimension() != 2 || logits.getShape().get(0) != rows.length) {
            throw new IllegalArgumentException("cross-entropy: logits of shape " + logits.getShape() + " for "
                    + rows.length + " target positions");
        }
        for (int b = 1; b < labels.length; b++) {
            if (labels[b].length != labels[0].length) {
                throw new IllegalArgumentException("cross-entropy: label row " + b + " has " + labels[b].length
                        + " positions, row 0 " + labels[0].length);
            }
        }
        return loss(scope, logits, rows, labels, smoothing, reduction);
    }

    /**
     * The positions b·seq + t whose next token is a target (label t + 1 not −100), in order: the rows whose logits
     * the loss reads.
     */
    static int[] targetRows(int[][] labels) {
        int seq = labels.length == 0 ? 0 : labels[0].length;
        IntStream.Builder rows = IntStream.builder();
        for (int b = 0; b < labels.length; b++) {
            for (int t = 0; t + 1 < labels[b].length; t++) {
                if (labels[b][t + 1] != Losses.IGNORE) {
                    rows.add(b * seq + t);
                }
            }
        }
        return rows.build().toArray();
    }

    /**
     * @param logits (n, vocab): every position b·seq + t in order when {@code rows} is null, else row i is position
     *     rows[i]
     */
    private static NDArray loss(NDManager scope, NDArray logits, int[] rows, int[][] labels, double smoothing,
            Losses.Reduction reduction) {
        int batch = labels.length;
        int seq = batch == 0 ? 0 : labels[0].length;
        int vocab = (int) logits.getShape().get(1);
        int[] counts = new int[batch];
        int total = 0;
        for (int b = 0; b < batch; b++) {
            for (int t = 1; t < seq; t++) {
                int y = labels[b][t];
                if (y != Losses.IGNORE) {
                    if (y < 0 || y >= vocab) {
                        throw new IllegalArgumentException("cross-entropy: label " + y + " at row " + b
                                + ", position " + t + " is outside the vocabulary [0, " + vocab + ")");
                    }
                    counts[b]++;
                }
            }
            total += counts[b];
        }
        float[] weights = new float[batch]; // each target token's weight in the reduced loss
        for (int b = 0; b < batch; b++) {
            weights[b] = switch (reduction) {
                case TOKEN_MEAN -> 1f / Math.max(total, 1);
                case TOKEN_SUM -> 1f;
                case SAMPLE_MEAN -> 1f / ((float) batch * Math.max(counts[b], 1));
            };
        }
        int n = (int) logits.getShape().get(0);
        long count = logits.getShape().size();
        NDArray flat = logits.reshape(count); // a view when contiguous, else the one copy
        ByteBuffer x = flat.toByteBuffer(true).order(ByteOrder.nativeOrder());
        Staging.Fresh grad = Staging.fresh(scope, new Shape(count));
        ByteBuffer gb = grad.array().toByteBuffer(true).order(ByteOrder.nativeOrder()); // the same memory
        double[] rowLoss = new double[batch * seq];
        float[] zeros = new float[vocab];
        IntStream.range(0, n).parallel().forEach(i -> {
            int position = rows == null ? i : rows[i];
            int b = position / seq;
            int t = position % seq;
            int y = t + 1 < seq ? labels[b][t + 1] : Losses.IGNORE;
            if (y == Losses.IGNORE) {
                grad.memory().put(i * vocab, zeros, 0, vocab);
                return;
            }
            rowLoss[position] = CrossEntropyRow.lossAndGradient(x, i * vocab, vocab, y, smoothing, weights[b], gb,
                    new float[3]);
        });
        double value = 0;
        for (int b = 0; b < batch; b++) {
            double sum = 0;
            for (int t = 0; t < seq; t++) {
                sum += rowLoss[b * seq + t]; // in order: the same value on every run
            }
            value += switch (reduction) {
                case TOKEN_MEAN -> sum / Math.max(total, 1);
                case TOKEN_SUM -> sum;
                case SAMPLE_MEAN -> sum / Math.max(counts[b], 1) / batch;
            };
        }
        return CarriedGradient.loss(scope, flat, grad.array(), 1, value);
    }
}
