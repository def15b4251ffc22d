package ai.t2l.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.t2l.compute.L1Sign;
import ai.t2l.compute.Staging;
import ai.t2l.hypernet.FeatureMajorLora;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * torch's {@code l1_loss} (reduction mean) of an engine prediction against a target that Java writes row by row, the
 * target never entering the engine. One Java pass reads the prediction, makes each chunk of the target, adds up
 * |p − t| and writes sign(p − t); the engine then only carries the gradient ({@link CarriedGradient}), through
 * (p · sign) / N, whose backward is l1_loss's own: the upstream gradient divided by N, times sign(p − t), the same
 * float operations, so the gradients are equal bit for bit. The loss's value is the Java sum (in double) over N, so
 * only its last bits may differ from torch's float reduction.
 *
 * <p>Why: as engine ops (subtract, abs, mean, and abs's backward) the reconstruction step's L1 over 13.6 M values
 * (the M hypernetwork on the Mistral-7B shape) took about 80 ms of a 0.43 s step, plus writing the targets into
 * engine memory (BENCHMARKS.md, issue 16, fourteenth session).
 */
final class JavaL1 {
    /** Values per chunk of a row: 16 KB per scratch array, in L1. */
    private static final int CHUNK = 4096;
    /**
     * Features per block of a feature-major pass: the block's targets for 128 rows take 128 KB twice (as made, and
     * feature-major), in L2; long enough rows for the targets' loops to run in vectors.
     */
    private static final int FEATURE_BLOCK = 256;

    /** Writes target values [from, from + n) of row {@code row} into {@code out[0, n)}. */
    interface Target {
        void fill(int row, int from, int n, float[] out);
    }

    private JavaL1() {}

    /**
     * mean |prediction − target| over all elements, as a scalar engine array that carries the gradient.
     *
     * @param prediction float32, its first dimension {@code rows} (any layout: a strided view is copied once)
     */
    static NDArray loss(NDManager scope, NDArray prediction, int rows, Target target) {
        long count = prediction.getShape().size();
        NDArray flat = prediction.reshape(count); // a view when contiguous, else the one copy
        FloatBuffer p = flat.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();
        Staging.Fresh sign = Staging.fresh(scope, new Shape(count));
        int size = Math.toIntExact(count / rows);
        double[] absSums = new double[rows];
        IntStream.range(0, rows).parallel().forEach(row -> {
            float[] t = new float[Math.min(size, CHUNK)];
            float[] v = new float[t.length];
            double[] sums = new double[4];
            for (int from = 0; from < size; from += t.length) {
                int n = Math.min(t.length, size - from);
                int base = row * size + from;
                target.fill(row, from, n, t);
                p.get(base, v, 0, n);
                signAndAbsSum(v, t, n, sums);
                sign.memory().put(base, v, 0, n);
            }
            absSums[row] = sums[0] + sums[1] + sums[2] + sums[3];
        });
        double total = 0;
        for (double s : absSums) {
            total += s; // row order: the same value on every run
        }
        return CarriedGradient.loss(scope, flat, sign.array(), count, total / count); // gradient: upstream / N · sign
    }

    /**
     * One weighted mean |p − t| of a feature-major loss: a half of a head's output and its target.
     *
     * @param rankLength the elements of one rank when the target reads its values a rank apart (a B stored (out, r)
     *     read as (r, out)): the pass then takes the blocks of all ranks over the same columns one after another,
     *     while those columns are in cache; 0 for none
     */
    record Term(FeatureMajorLora.Half half, Target target, double weight, int rankLength) {
        Term(FeatureMajorLora.Half half, Target target, double weight) {
            this(half, target, weight, 0);
        }
    }

    /**
     * Σ weight · mean |p − t| over the terms, each prediction read in place from the head's feature-major output
     * ({@link FeatureMajorLora}), with one carried gradient per output array ({@link CarriedGradient}): weight / N ·
     * sign(p − t), rounded once to float32. With the weights the caller's loss has (powers of two, e.g. ½ · ½ for
     * the halves of two modules) that is bit for bit the gradient torch's l1_loss gets from the same upstream
     * scaling. Every element of each output array must belong to one term.
     */
    static NDArray featureMajorLoss(NDManager scope, List<Term> terms) {
        Map<NDArray, Staging.Fresh> directions = new IdentityHashMap<>();
        Map<NDArray, Long> covered = new IdentityHashMap<>();
        double value = 0;
        for (Term term : terms) {
            FeatureMajorLora.Half h = term.half();
            NDArray base = h.base();
            long count = base.getShape().size();
            Staging.Fresh sign = directions.computeIfAbsent(base, b -> Staging.fresh(scope, new Shape(count)));
            covered.merge(base, h.rows() * h.elements(), Long::sum);
            ByteBuffer p = base.toByteBuffer(true).order(ByteOrder.nativeOrder());
            ByteBuffer out = sign.array().toByteBuffer(true).order(ByteOrder.nativeOrder()); // its memory: fresh, contiguous
            value += term.weight() * featureMajorSigns(p, h, term, out);
        }
        List<NDArray> flats = new ArrayList<>();
        List<NDArray> signs = new ArrayList<>();
        directions.forEach((base, sign) -> {
            if (covered.get(base) != base.getShape().size()) {
                throw new IllegalArgumentException("feature-major loss: the terms cover " + covered.get(base)
                        + " of the " + base.getShape().size() + " values of a head output " + base.getShape());
            }
            flats.add(base.reshape(-1));
            signs.add(sign.array());
        });
        return CarriedGradient.loss(scope, flats, signs, value);
    }

    /**
     * mean |p − t| over one half, writing (float) (weight / N) · sign(p − t) into {@code out} at p's places. Blocks
     * of 256 features are split over the cores. For each, every row's targets are made and laid out feature-major,
     * as p is; then each feature's row of predictions is read, compared and its gradient written contiguously, in
     * vectors ({@link L1Sign}). The absolute differences add up per row in float32 over the block's features, then
     * in double. With the targets read a column at a time from 128 row arrays instead, the pass took 45 ms of the
     * reconstruction step (BENCHMARKS.md, issue 16, twenty-third session).
     */
    private static double featureMajorSigns(ByteBuffer p, FeatureMajorLora.Half h, Term term, ByteBuffer out) {
        Target target = term.target();
        int rows = Math.toIntExact(h.rows());
        int elements = Math.toIntExact(h.elements());
        int offset = Math.toIntExact(h.offset());
        int stride = Math.toIntExact(h.featureStride());
        float scale = (float) (term.weight() / ((double) rows * elements));
        int blocks = (elements + FEATURE_BLOCK - 1) / FEATURE_BLOCK;
        int rankLength = term.rankLength();
        // visiting order: block j is block b(j); rank-interleaved targets go column range by column range
        boolean byColumns = rankLength > 0 && rankLength % FEATURE_BLOCK == 0 && elements % rankLength == 0;
        int ranks = byColumns ? elements / rankLength : 1;
        int perRank = blocks / ranks;
        double[] absSums = new double[blocks];
        int parts = Math.min(blocks, 4 * Runtime.getRuntime().availableProcessors());
        IntStream.range(0, parts).parallel().forEach(part -> {
            float[][] rowTargets = new float[rows][FEATURE_BLOCK];
            float[] t = new float[FEATURE_BLOCK * rows]; // the block's targets feature-major, as p holds them
            float[] acc = new float[rows];
            for (int j = (int) ((long) blocks * part / parts); j < (long) blocks * (part + 1) / parts; j++) {
                int b = byColumns ? (j % ranks) * perRank + j / ranks : j;
                int e0 = b * FEATURE_BLOCK;
                int n = Math.min(FEATURE_BLOCK, elements - e0);
                for (int i = 0; i < rows; i++) {
                    target.fill(i, e0, n, rowTargets[i]);
                }
                for (int e = 0; e < n; e++) {
                    for (int i = 0; i < rows; i++) {
                        t[e * rows + i] = rowTargets[i][e];
                    }
                }
                Arrays.fill(acc, 0);
                for (int e = 0; e < n; e++) {
                    L1Sign.apply(p, out, offset + (e0 + e) * stride, t, e * rows, rows, scale, acc);
                }
                double sum = 0;
                for (float a : acc) {
                    sum += a;
                }
                absSums[b] = sum;
            }
        });
        double total = 0;
        for (double s : absSums) {
            total += s; // block order: the same value on every run
        }
        return total / ((double) rows * elements);
    }

    /**
     * v[i] ← sign(v[i] − t[i]) for i &lt; n, adding |v[i] − t[i]| into four running sums (four independent chains of
     * additions instead of one).
     */
    private static void signAndAbsSum(float[] v, float[] t, int n, double[] sums) {
        double s0 = sums[0];
        double s1 = sums[1];
        double s2 = sums[2];
        double s3 = sums[3];
        int i = 0;
        for (; i + 3 < n; i += 4) {
            float d0 = v[i] - t[i];
            float d1 = v[i + 1] - t[i + 1];
            float d2 = v[i + 2] - t[i + 2];
            float d3 = v[i + 3] - t[i + 3];
            s0 += Math.abs(d0);
            s1 += Math.abs(d1);
            s2 += Math.abs(d2);
            s3 += Math.abs(d3);
            v[i] = L1Sign.sgn(d0);
            v[i + 1] = L1Sign.sgn(d1);
            v[i + 2] = L1Sign.sgn(d2);
            v[i + 3] = L1Sign.sgn(d3);
        }
        for (; i < n; i++) {
            float d = v[i] - t[i];
            s0 += Math.abs(d);
            v[i] = L1Sign.sgn(d);
        }
        sums[0] = s0;
        sums[1] = s1;
        sums[2] = s2;
        sums[3] = s3;
    }

    /** The target as an engine array of {@code shape} (float32), for engine losses (e.g. float64 parameters). */
    static NDArray materialize(NDManager scope, Shape shape, int rows, Target target) {
        Staging.Fresh out = Staging.fresh(scope, shape);
        int size = Math.toIntExact(shape.size() / rows);
        IntStream.range(0, rows).parallel().forEach(row -> {
            float[] t = new float[Math.min(size, CHUNK)];
            for (int from = 0; from < size; from += t.length) {
                int n = Math.min(t.length, size - from);
                target.fill(row, from, n, t);
                out.memory().put(row * size + from, t, 0, n);
            }
        });
        return out.array();
    }
}
