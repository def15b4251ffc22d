package ai.t2l.miniature;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which (operation, format) pairs are training tasks and which are held out. See docs/MINIATURE-WORLD.md.
 *
 * <p>The held-out list comes from a rotation: trained operation i (in catalogue order) with allowed formats A has
 * "core" formats A[i], A[i+2], A[i+4] (mod |A|); an unseen combination takes A[i+1], which the rotation never
 * trains; an unseen parameter takes the first formats (in {@link OutputFormat#all()} order) of its family's core
 * formats. Then every other valid (operation, format) pair of a trained operation is trained too, so that the
 * hypernetwork sees each operation under (almost) every format and each format under every operation: only the
 * held-out pairs are missing, which is what compositional generalisation needs (a rotation alone, 3 formats per
 * operation, left T2L at chance on the held-out combinations).
 */
final class WorldDesign {
    private WorldDesign() {}

    static List<Operation> trainedOperations() {
        return List.of(
                Operations.reverse(),
                Operations.letterCase("upper"), Operations.letterCase("capitalize"), Operations.letterCase("alternating"),
                Operations.sort("ascending"), Operations.sort("descending"),
                Operations.shift(1), Operations.shift(2), Operations.shift(4), Operations.shift(5),
                Operations.filter("consonants"), Operations.filter("vowels"),
                Operations.repeat(2), Operations.repeat(3),
                Operations.first(1), Operations.first(2), Operations.first(4),
                Operations.last(1), Operations.last(2), Operations.last(4),
                Operations.rotate("left", 1), Operations.rotate("left", 2),
                Operations.rotate("right", 1), Operations.rotate("right", 2),
                Operations.counting("letters"), Operations.counting("vowels"), Operations.counting("consonants"),
                Operations.alternate("odd"), Operations.alternate("even"),
                Operations.swap(),
                Operations.mirror());
    }

    /**
     * Families whose prompts name the operation and format before the word (see {@link Task#inputCue()}): every
     * other family in catalogue order, so about half of the tasks carry evidence in their input and half none.
     */
    static final java.util.Set<String> CUED_FAMILIES = java.util.Set.of(
            "reverse", "sort", "filter", "first", "rotate", "alternate", "mirror");

    /** Trained operations whose untrained rotation slot A[i+1] becomes a held-out task. */
    static final List<String> UNSEEN_COMBINATIONS = List.of(
            "reverse", "case-upper", "sort-ascending", "shift-1", "filter-consonants",
            "repeat-2", "count-vowels", "alternate-odd", "swap", "mirror");

    /** Held-out parameter values, each with how many of its family's trained formats it takes. */
    static List<Map.Entry<Operation, Integer>> unseenParameters() {
        return List.of(
                Map.entry(Operations.shift(3), 2),
                Map.entry(Operations.first(3), 2),
                Map.entry(Operations.last(3), 1),
                Map.entry(Operations.rotate("left", 3), 1));
    }

    /**
     * Names of the rotation's training tasks (3 formats per operation, 93 tasks). The base model, the oracle library
     * and reconstruction use only these: trained on the whole grid, the 64-wide base model's loss stalled at 2.2
     * (1.25 on these) and oracle LoRAs on it reached 30% instead of 81%. SFT and the multi-task LoRA use all.
     */
    static Set<String> coreNames() {
        Set<String> names = new LinkedHashSet<>();
        List<Operation> trained = trainedOperations();
        for (int i = 0; i < trained.size(); i++) {
            List<OutputFormat> a = trained.get(i).formats();
            for (int slot : new int[] {0, 2, 4}) {
                names.add(Task.nameOf(trained.get(i), a.get((i + slot) % a.size())));
            }
        }
        return names;
    }

    static List<Task> build() {
        List<Task> core = new ArrayList<>();
        List<Operation> trained = trainedOperations();
        Map<String, Set<OutputFormat>> familyFormats = new LinkedHashMap<>();
        Set<String> trainedPairs = new LinkedHashSet<>();
        for (int i = 0; i < trained.size(); i++) {
            Operation op = trained.get(i);
            List<OutputFormat> a = op.formats();
            for (int slot : new int[] {0, 2, 4}) {
                OutputFormat f = a.get((i + slot) % a.size());
                core.add(task(op, f, Task.Role.TRAIN, Task.Novelty.NONE));
                trainedPairs.add(Task.nameOf(op, f));
                familyFormats.computeIfAbsent(op.family(), k -> new LinkedHashSet<>()).add(f);
            }
        }
        List<Task> held = new ArrayList<>();
        for (int i = 0; i < trained.size(); i++) {
            Operation op = trained.get(i);
            if (UNSEEN_COMBINATIONS.contains(op.key())) {
                OutputFormat f = op.formats().get((i + 1) % op.formats().size());
                held.add(task(op, f, Task.Role.HELD_OUT, Task.Novelty.UNSEEN_COMBINATION));
            }
        }
        for (Map.Entry<Operation, Integer> e : unseenParameters()) {
            Operation op = e.getKey();
            List<OutputFormat> seen = OutputFormat.all().stream()
                    .filter(f -> familyFormats.getOrDefault(op.family(), Set.of()).contains(f))
                    .filter(op.formats()::contains)
                    .limit(e.getValue())
                    .toList();
            for (OutputFormat f : seen) {
                held.add(task(op, f, Task.Role.HELD_OUT, Task.Novelty.UNSEEN_PARAMETER));
            }
        }
        Set<String> heldNames = new LinkedHashSet<>();
        held.forEach(t -> heldNames.add(t.name()));
        // Training tasks first (the rotation's, then the rest of the grid), then the held-out ones.
        List<Task> tasks = new ArrayList<>(core);
        for (Operation op : trained) {
            for (OutputFormat f : op.formats()) {
                String name = Task.nameOf(op, f);
                if (!heldNames.contains(name) && trainedPairs.add(name)) {
                    tasks.add(task(op, f, Task.Role.TRAIN, Task.Novelty.NONE));
                }
            }
        }
        tasks.addAll(held);
        checkNoHeldOutIsTrained(tasks, trainedPairs);
        return List.copyOf(tasks);
    }

    private static Task task(Operation op, OutputFormat f, Task.Role role, Task.Novelty novelty) {
        if (!op.formats().contains(f)) {
            throw new IllegalStateException(op.key() + " does not allow format " + f.id());
        }
        return new Task(op, f, role, novelty, Descriptions.write(op, f));
    }

    private static void checkNoHeldOutIsTrained(List<Task> tasks, Set<String> trainedPairs) {
        Set<String> names = new LinkedHashSet<>();
        for (Task t : tasks) {
            if (!names.add(t.name())) {
                throw new IllegalStateException("task " + t.name() + " is defined twice");
            }
            if (t.role() == Task.Role.HELD_OUT && trainedPairs.contains(t.name())) {
                throw new IllegalStateException("held-out task " + t.name() + " is also a training task");
            }
        }
    }
}
