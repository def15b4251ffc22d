package ai.t2l.train.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The train / valid / test split of a Super-NaturalInstructions task as the Lots-of-LoRAs datasets that the reference
 * loads ({@code Lots-of-LoRAs/taskNNN_*}) have it: 20% held out, {@code ceil(0.2 n)} (the test_size rounding of
 * Hugging Face's and scikit-learn's {@code train_test_split}), and that half-and-half into test
 * ({@code ceil(held / 2)}) and valid (the rest). The sizes match the published dataset cards, e.g. task1557: 754 →
 * 603 / 75 / 76; task1393: 496 → 396 / 50 / 50; task247: 6111 → 4888 / 611 / 612 (docs/TRAINING.md).
 *
 * <p>Which instances went where was a random draw whose seed is not published, so it cannot be rebuilt from the task
 * file: here the instances are permuted with {@code java.util.Random(seed)} (Fisher-Yates, {@link Collections#shuffle})
 * and cut in that order: train first, then valid, then test. Same sizes, not the same instances; deterministic, and
 * the parts never overlap, so a task trained on its train part is evaluated on unseen test instances.
 */
public final class SniSplit {
    /** The seed of the permutation (the reference's global seed). */
    public static final long SEED = 42;

    /** Which part of a task file. ALL: every instance in file order (no split). */
    public enum Part { ALL, TRAIN, VALID, TEST }

    private SniSplit() {}

    /** Number of held-out instances: {@code ceil(0.2 * n)} in double arithmetic, as Python computes it. */
    static int held(int n) {
        return (int) Math.ceil(0.2 * n);
    }

    /** Test instances among {@code held}: {@code ceil(0.5 * held)}. */
    static int test(int held) {
        return (int) Math.ceil(0.5 * held);
    }

    /** Indices (into the file's instances) of one part, in the order they are used. */
    public static List<Integer> indices(int n, Part part) {
        List<Integer> order = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        if (part == Part.ALL) {
            return order;
        }
        Collections.shuffle(order, new Random(SEED));
        int held = held(n);
        int nTest = test(held);
        int nTrain = n - held;
        int nValid = held - nTest;
        return switch (part) {
            case TRAIN -> List.copyOf(order.subList(0, nTrain));
            case VALID -> List.copyOf(order.subList(nTrain, nTrain + nValid));
            case TEST -> List.copyOf(order.subList(nTrain + nValid, n));
            case ALL -> order;
        };
    }
}
