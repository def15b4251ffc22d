package ai.t2l.eval.t2l;

import ai.t2l.io.T2lException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

/**
 * Which descriptions the T2L evaluation turns into adapters for one task (spec §8.3, the reference's
 * {@code generate_loras_for_tasks_from_descs}), in four splits:
 * <ul>
 *   <li>{@code train_descs}: descriptions[0], only when the task is a training task (never a benchmark);</li>
 *   <li>{@code eval_descs}: the 3 held-out descriptions; the README's T2L rows are their mean;</li>
 *   <li>{@code other_train_descs}: one random description of every other task of the reference's
 *       {@code ds_descs} (the metadata.yaml descriptions of the training tasks, then of the eval tasks; the
 *       held-out descriptions are never in this pool), then 3 of those at random;</li>
 *   <li>{@code random_descs}: the 3 nonsense strings.</li>
 * </ul>
 * The reference draws with Python's global {@code random} state; here a seeded generator per task makes the
 * draw reproducible on its own (the exact strings differ from the reference's, the protocol is the same).
 */
public final class T2lProtocol {
    public static final List<String> SPLITS = List.of("train_descs", "eval_descs", "other_train_descs", "random_descs");

    /** One adapter to generate: its split, index within the split, and the description it comes from. */
    public record Lora(String task, String split, int index, String description) implements PlannedLora {
        /** Cache and folder key, like the reference's {@code generated_loras/<task>/<split>/lora_i}. */
        public String key() {
            return "t2l-" + split + "/lora_" + index;
        }
    }

    private final T2lDescriptions data;
    private final long seed;

    public T2lProtocol(T2lDescriptions data, long seed) {
        this.data = data;
        this.seed = seed;
    }

    public List<Lora> plan(String task) {
        List<String> held = data.evalDescriptions().get(task);
        if (held == null) {
            throw new T2lException("the T2L protocol has no held-out descriptions for task \"" + task
                    + "\"; eval_descriptions.json has: " + String.join(", ", data.evalDescriptions().keySet()));
        }
        // the reference's ds_descs: train_metadata then val_metadata descriptions, both from metadata.yaml
        Map<String, List<String>> all = data.metadataDescriptions();
        SplittableRandom rng = new SplittableRandom(seed ^ crc(task));
        List<String> others = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : all.entrySet()) {
            if (!e.getKey().equals(task)) {
                List<String> d = e.getValue();
                others.add(d.get(rng.nextInt(d.size())));
            }
        }
        List<String> otherThree = sample(others, 3, rng);
        List<String> train = data.trainDescriptions().containsKey(task)
                ? List.of(data.trainDescriptions().get(task).get(0)) : List.of();
        List<Lora> out = new ArrayList<>();
        add(out, task, "train_descs", train);
        add(out, task, "eval_descs", held);
        add(out, task, "other_train_descs", otherThree);
        add(out, task, "random_descs", data.randomDescriptions());
        return out;
    }

    private static void add(List<Lora> out, String task, String split, List<String> descs) {
        for (int i = 0; i < descs.size(); i++) {
            out.add(new Lora(task, split, i, descs.get(i)));
        }
    }

    /** k distinct elements in draw order (a partial Fisher-Yates shuffle, like Python's random.sample). */
    static List<String> sample(List<String> from, int k, SplittableRandom rng) {
        List<String> pool = new ArrayList<>(from);
        int n = Math.min(k, pool.size());
        for (int i = 0; i < n; i++) {
            int j = i + rng.nextInt(pool.size() - i);
            String t = pool.get(i);
            pool.set(i, pool.get(j));
            pool.set(j, t);
        }
        return List.copyOf(pool.subList(0, n));
    }

    private static long crc(String s) {
        CRC32 c = new CRC32();
        c.update(s.getBytes(StandardCharsets.UTF_8));
        return c.getValue();
    }
}
