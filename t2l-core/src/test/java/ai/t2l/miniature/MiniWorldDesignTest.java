package ai.t2l.miniature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.io.T2lException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MiniWorldDesignTest {
    private final TaskWorld world = TaskWorld.standard();

    @Test
    void hasEnoughTasksFamiliesAndHeldOutOfBothKinds() {
        assertTrue(world.trainTasks().size() >= 80, "train tasks: " + world.trainTasks().size());
        assertTrue(world.families().size() >= 10, "families: " + world.families());
        assertTrue(world.heldOutTasks().size() >= 12, "held-out tasks: " + world.heldOutTasks().size());
        Map<Task.Novelty, Long> kinds = world.heldOutTasks().stream()
                .collect(Collectors.groupingBy(Task::novelty, Collectors.counting()));
        assertTrue(kinds.getOrDefault(Task.Novelty.UNSEEN_PARAMETER, 0L) >= 4, "kinds " + kinds);
        assertTrue(kinds.getOrDefault(Task.Novelty.UNSEEN_COMBINATION, 0L) >= 8, "kinds " + kinds);
        for (String family : world.families()) {
            assertTrue(world.trainTasks().stream().anyMatch(t -> t.family().equals(family)), family + " has no training task");
        }
    }

    @Test
    void trainingCoversTheGridButTheHeldOutPairsAndTheCoreIsTheRotation() {
        Map<String, Long> coreFormats = world.coreTrainTasks().stream()
                .collect(Collectors.groupingBy(Task::operation, Collectors.counting()));
        assertEquals(93, world.coreTrainTasks().size());
        assertTrue(coreFormats.values().stream().allMatch(n -> n == 3), coreFormats.toString());
        assertTrue(world.trainTasks().containsAll(world.coreTrainTasks()));
        Set<String> trained = world.trainTasks().stream().map(Task::name).collect(Collectors.toSet());
        Set<String> held = world.heldOutTasks().stream().map(Task::name).collect(Collectors.toSet());
        for (Operation op : WorldDesign.trainedOperations()) { // every allowed pair: trained or held out, not both
            for (OutputFormat f : op.formats()) {
                String name = Task.nameOf(op, f);
                assertTrue(trained.contains(name) ^ held.contains(name), name);
            }
        }
        assertEquals(195, world.trainTasks().size());
    }

    @Test
    void namesAreUniqueAndLookUpBack() {
        Set<String> names = new HashSet<>();
        for (Task t : world.tasks()) {
            assertTrue(names.add(t.name()), "duplicate " + t.name());
            assertEquals(t, world.task(t.name()));
            assertEquals(List.of("family", "parameter", "format"), List.copyOf(t.attributes().keySet()));
        }
        assertThrows(T2lException.class, () -> world.task("no-such-task"));
    }

    @Test
    void everyTaskHasEnoughDistinctDescriptionsAndEvalOnesAreNeverTrainingOnes() {
        Set<String> allTrain = new HashSet<>();
        world.tasks().forEach(t -> allTrain.addAll(t.trainDescriptions()));
        Set<String> allEval = new HashSet<>();
        for (Task t : world.tasks()) {
            assertTrue(t.trainDescriptions().size() >= 16, t.name());
            assertEquals(t.trainDescriptions().size(), new HashSet<>(t.trainDescriptions()).size(), t.name() + " repeats");
            assertTrue(t.evalDescriptions().size() >= 3, t.name());
            assertEquals(t.evalDescriptions().size(), new HashSet<>(t.evalDescriptions()).size(), t.name() + " repeats");
            for (String d : t.evalDescriptions()) {
                assertFalse(allTrain.contains(d), t.name() + ": eval description is a training description: " + d);
                assertTrue(allEval.add(d), "eval description shared by two tasks: " + d);
            }
        }
        // No description (of either kind) is shared by two tasks: each must name one task.
        Map<String, String> owner = new HashMap<>();
        for (Task t : world.tasks()) {
            for (String d : t.trainDescriptions()) {
                String prev = owner.putIfAbsent(d, t.name());
                assertTrue(prev == null || prev.equals(t.name()), "'" + d + "' describes " + prev + " and " + t.name());
            }
        }
    }

    @Test
    void descriptionsAreOneLineOfPrintableAsciiEndingWithAFullStopOrQuestionMark() {
        for (Task t : world.tasks()) {
            for (String d : concat(t.trainDescriptions(), t.evalDescriptions())) {
                assertTrue(d.chars().allMatch(c -> c >= ' ' && c <= '~'), t.name() + ": " + d);
                assertTrue(d.endsWith(".") || d.endsWith("?"), t.name() + ": " + d);
                assertTrue(Character.isUpperCase(d.charAt(0)), t.name() + ": " + d);
                assertFalse(d.contains("  ") || d.contains(",,") || d.contains(" ,"), t.name() + ": " + d);
            }
        }
    }

    @Test
    void descriptionsMentionTheParameter() {
        // Parameters are numbers (as digits or words) or words that some phrase of the family spells out.
        Map<String, List<String>> spellings = Map.of(
                "1", List.of("1", "one", "letter", "character"), "2", List.of("2", "two", "double"),
                "3", List.of("3", "three", "triple"), "4", List.of("4", "four"), "5", List.of("5", "five"));
        for (Task t : world.tasks()) {
            if (!t.parameter().matches("[0-9]") && !t.family().equals("rotate")) {
                continue;
            }
            String k = t.parameter().replaceAll("[^0-9]", "");
            for (String d : concat(t.trainDescriptions(), t.evalDescriptions())) {
                String lower = d.toLowerCase();
                assertTrue(spellings.get(k).stream().anyMatch(lower::contains), t.name() + " does not name " + k + ": " + d);
                if (t.family().equals("rotate")) {
                    String dir = t.parameter().startsWith("left") ? "left|front.*back|first" : "right|end.*start|last";
                    assertTrue(lower.matches(".*(" + dir + ").*"), t.name() + " does not name its direction: " + d);
                }
            }
        }
    }

    @Test
    void heldOutAttributesAppearInTrainingAsTheDesignSays() {
        Set<String> trainedOps = world.trainTasks().stream().map(Task::operation).collect(Collectors.toSet());
        Set<String> trainedNames = world.trainTasks().stream().map(Task::name).collect(Collectors.toSet());
        Set<OutputFormat> trainedFormats = world.trainTasks().stream().map(Task::format).collect(Collectors.toSet());
        for (Task h : world.heldOutTasks()) {
            assertFalse(trainedNames.contains(h.name()), h.name() + " is also trained");
            assertTrue(trainedFormats.contains(h.format()), h.name() + ": format never trained");
            switch (h.novelty()) {
                case UNSEEN_COMBINATION -> {
                    assertTrue(trainedOps.contains(h.operation()), h.name() + ": operation never trained");
                    assertTrue(world.trainTasks().stream().anyMatch(t -> t.format() == h.format()
                            && !t.family().equals(h.family())), h.name() + ": format not trained with another family");
                }
                case UNSEEN_PARAMETER -> {
                    assertFalse(trainedOps.contains(h.operation()), h.name() + ": parameter value is trained");
                    assertTrue(world.trainTasks().stream().anyMatch(t -> t.family().equals(h.family())
                            && t.format() == h.format()), h.name() + ": format not trained in its family");
                }
                default -> throw new AssertionError(h.name() + " is held out with novelty " + h.novelty());
            }
        }
        world.trainTasks().forEach(t -> assertEquals(Task.Novelty.NONE, t.novelty(), t.name()));
    }

    @Test
    void trainViewCannotReachHeldOutTasksOrTestExamples() {
        TrainTasks view = world.trainView();
        assertEquals(world.trainTasks(), view.tasks());
        Set<String> reachable = new HashSet<>();
        for (String name : view.names()) {
            reachable.addAll(view.descriptions(name));
        }
        for (Task h : world.heldOutTasks()) {
            assertFalse(view.names().contains(h.name()));
            assertThrows(T2lException.class, () -> view.task(h.name()));
            assertThrows(T2lException.class, () -> view.descriptions(h.name()));
            assertThrows(T2lException.class, () -> view.examples(h.name(), Split.TRAIN, 1, 0));
            for (String d : concat(h.trainDescriptions(), h.evalDescriptions())) {
                assertFalse(reachable.contains(d), h.name() + "'s description reachable: " + d);
            }
        }
        String some = view.names().get(0);
        assertThrows(T2lException.class, () -> view.examples(some, Split.TEST, 1, 0));
        assertEquals(world.examples(world.task(some), Split.VAL, 4, 9), view.examples(some, Split.VAL, 4, 9));
    }

    @Test
    void noTwoTasksAreTheSameFunction() {
        List<String> words = Inputs.sample(new java.util.SplittableRandom(3), Split.TRAIN, 200);
        Map<List<String>, String> seen = new HashMap<>();
        for (Task t : world.tasks()) {
            List<String> outs = words.stream().map(t::answer).toList();
            String prev = seen.put(outs, t.name());
            assertTrue(prev == null, prev + " and " + t.name() + " give the same answers on 200 words");
        }
    }

    @Test
    void theInputAloneDoesNotRevealTheTask() {
        // For a typical word, nearly every task answers differently, so a model must read the description.
        List<String> words = Inputs.sample(new java.util.SplittableRandom(5), Split.TEST, 20);
        // Some words collide more (a word already in order is its own sort), hence a majority per word and a mean.
        int tasks = world.tasks().size();
        double sum = 0;
        for (String w : words) {
            Map<String, Integer> byAnswer = new HashMap<>();
            world.tasks().forEach(t -> byAnswer.merge(t.answer(w), 1, Integer::sum));
            long unique = world.tasks().stream().filter(t -> byAnswer.get(t.answer(w)) == 1).count();
            assertTrue(unique > tasks / 2, w + ": only " + unique + " of " + tasks + " tasks give a unique answer");
            sum += unique / (double) tasks;
        }
        // 0.90 with the full grid of 211 tasks (more tasks, more chance collisions such as two counts agreeing)
        assertTrue(sum / words.size() > 0.85, "mean fraction of tasks with a unique answer " + sum / words.size());
        for (Task t : world.tasks()) {
            assertNotEquals(words.get(0), t.answer(words.get(0)), t.name() + " is the identity");
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
