package ai.t2l.miniature;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The paper's description controls (T2L-SPEC §7.2, §8.3): random strings, and descriptions of another task. A T2L
 * model that reads descriptions should do worse with these than with an aligned description.
 */
public final class ControlDescriptions {
    private ControlDescriptions() {}

    /** The reference's three random descriptions, verbatim. */
    public static final List<String> PAPER_RANDOM = List.of(
            "dogs;cats;bananas;",
            "7@9.qwepra#/.sd,s'2OC^039u#rdagjbL",
            "ggggggggggggggggggggg");

    private static final List<String> NOUNS = List.of(
            "dogs", "cats", "bananas", "rivers", "clocks", "pianos", "tulips", "kettles", "comets", "lanterns",
            "pebbles", "violins", "otters", "ladders", "mittens", "carrots");

    /**
     * {@code n} random descriptions: the paper's three first, then (seeded) noun lists, runs of one letter and
     * printable-ASCII gibberish in turn.
     */
    public static List<String> random(int n, long seed) {
        List<String> out = new ArrayList<>(PAPER_RANDOM.subList(0, Math.min(n, PAPER_RANDOM.size())));
        SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, "random-descriptions"));
        for (int i = out.size(); i < n; i++) {
            out.add(switch (i % 3) {
                case 0 -> nounList(rng);
                case 1 -> String.valueOf((char) ('a' + rng.nextInt(26))).repeat(12 + rng.nextInt(16));
                default -> gibberish(rng);
            });
        }
        return out;
    }

    /**
     * {@code n} training descriptions of training tasks from other families than {@code task} (one per chosen task),
     * reproducible from {@code seed}: the reference's "other_train_descs" control.
     */
    public static List<String> otherTask(TaskWorld world, Task task, int n, long seed) {
        List<Task> others = new ArrayList<>(world.trainTasks().stream()
                .filter(t -> !t.family().equals(task.family())).toList());
        if (n > others.size()) {
            throw new IllegalArgumentException("only " + others.size() + " tasks of other families, asked for " + n);
        }
        SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, "other-task", task.name()));
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Task other = others.remove(rng.nextInt(others.size()));
            out.add(other.trainDescriptions().get(rng.nextInt(other.trainDescriptions().size())));
        }
        return out;
    }

    private static String nounList(SplittableRandom rng) {
        StringBuilder b = new StringBuilder();
        int k = 2 + rng.nextInt(4);
        for (int i = 0; i < k; i++) {
            b.append(NOUNS.get(rng.nextInt(NOUNS.size()))).append(';');
        }
        return b.toString();
    }

    // Printable ASCII except space, so every character is one token of the miniature tokenizer.
    private static String gibberish(SplittableRandom rng) {
        char[] cs = new char[20 + rng.nextInt(20)];
        for (int i = 0; i < cs.length; i++) {
            cs[i] = (char) ('!' + rng.nextInt('~' - '!' + 1));
        }
        return new String(cs);
    }
}
