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
 * <p>Trained operation i (in catalogue order) with allowed formats A takes A[i], A[i+2], A[i+4] (mod |A|): every
 * operation is trained in three formats and the formats rotate across operations, so every format is trained with
 * most families. An unseen combination takes A[i+1], which that rotation never trains. An unseen parameter takes
 * formats that its family trains, so the parameter value is the only new thing.
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

    static List<Task> build() {
        List<Task> tasks = new ArrayList<>();
        List<Operation> trained = trainedOperations();
        Map<String, Set<OutputFormat>> familyFormats = new LinkedHashMap<>();
        Set<String> trainedPairs = new LinkedHashSet<>();
        for (int i = 0; i < trained.size(); i++) {
            Operation op = trained.get(i);
            List<OutputFormat> a = op.formats();
            for (int slot : new int[] {0, 2, 4}) {
                OutputFormat f = a.get((i + slot) % a.size());
                tasks.add(task(op, f, Task.Role.TRAIN, Task.Novelty.NONE));
                trainedPairs.add(Task.nameOf(op, f));
                familyFormats.computeIfAbsent(op.family(), k -> new LinkedHashSet<>()).add(f);
            }
        }
        for (int i = 0; i < trained.size(); i++) {
            Operation op = trained.get(i);
            if (UNSEEN_COMBINATIONS.contains(op.key())) {
                OutputFormat f = op.formats().get((i + 1) % op.formats().size());
                tasks.add(task(op, f, Task.Role.HELD_OUT, Task.Novelty.UNSEEN_COMBINATION));
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
                tasks.add(task(op, f, Task.Role.HELD_OUT, Task.Novelty.UNSEEN_PARAMETER));
            }
        }
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
