package ai.t2l.miniature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: evidence in the input for part of the tasks, the base model's three prompt kinds, descriptions with
 * varied structure, and hand-written descriptions kept out of every trainer.
 */
class MiniFairWorldTest {
    private final TaskWorld world = TaskWorld.standard();

    @Test
    void aboutHalfTheTasksCarryTheOperationAndFormatInTheirInputAndTheOthersNothing() {
        long cued = world.tasks().stream().filter(t -> !t.inputCue().isEmpty()).count();
        assertTrue(cued > world.tasks().size() / 4 && cued < world.tasks().size() * 3 / 4, "cued tasks: " + cued);
        // a cue says everything that is wanted: no two tasks share one, so the input alone determines the task
        Map<String, List<String>> tasksPerCue = world.tasks().stream().filter(t -> !t.inputCue().isEmpty())
                .collect(Collectors.groupingBy(Task::inputCue, Collectors.mapping(Task::name, Collectors.toList())));
        tasksPerCue.forEach((cue, names) -> assertEquals(1, names.size(), cue + ": " + names));
        for (Task t : world.tasks()) {
            boolean cuedFamily = WorldDesign.CUED_FAMILIES.contains(t.family());
            assertEquals(cuedFamily, !t.inputCue().isEmpty(), t.name());
        }
        assertEquals("rotate left 2, in brackets: ", world.task("rotate-left-2_brackets").inputCue());
        assertEquals("reverse, plain: ", world.task("reverse_plain").inputCue());
        assertEquals("alternate even, with spaces: ", world.task("alternate-even_spaces").inputCue());
        assertEquals("", world.task("shift-1_brackets").inputCue());
        // both kinds among held-out tasks too, so the multi-task LoRA's held-out score is not zero by construction
        assertTrue(world.heldOutTasks().stream().anyMatch(t -> !t.inputCue().isEmpty()));
        assertTrue(world.heldOutTasks().stream().anyMatch(t -> t.inputCue().isEmpty()));
    }

    @Test
    void theBaseModelsRowsMixBarePromptsDescriptionsAndExamplesInThirds() {
        Task t = world.task("rotate-left-1_brackets");
        TrainTasks view = world.trainView();
        List<Example> tr = view.examples(t.name(), Split.TRAIN, 30, 5);
        List<String> ds = view.descriptions(t.name());
        List<Example> mixed = Prompts.mixed(tr, tr, ds, 5, t, "train");
        assertEquals(mixed, Prompts.mixed(tr, tr, ds, 5, t, "train"), "seeded");
        assertNotEquals(mixed, Prompts.mixed(tr, tr, ds, 6, t, "train"));
        for (int i = 0; i < mixed.size(); i++) {
            Example m = mixed.get(i);
            Example e = tr.get(i);
            assertEquals(e.input(), m.input());
            assertEquals(e.response(), m.response());
            assertTrue(m.prompt().endsWith(e.prompt()), m.prompt());
            switch (i % 3) {
                case 0 -> assertEquals(e.prompt(), m.prompt());
                case 1 -> {
                    String d = m.prompt().substring(0, m.prompt().length() - e.prompt().length() - 2);
                    assertTrue(ds.contains(d), "a training description of the task: " + d);
                }
                default -> {
                    String[] lines = m.prompt().split("\n");
                    assertEquals(4, lines.length, m.prompt());
                    Set<String> shots = new HashSet<>();
                    for (int k = 0; k < 3; k++) {
                        String[] io = lines[k].split(" => ");
                        Example shot = tr.stream().filter(x -> x.prompt().equals(io[0])).findFirst().orElseThrow();
                        assertEquals(shot.response(), io[1]);
                        assertNotEquals(e.input(), shot.input(), "a row is never its own example");
                        shots.add(shot.input());
                    }
                    assertEquals(3, shots.size(), "three distinct examples");
                }
            }
        }
    }

    @Test
    void descriptionsVaryInStructure() {
        for (Task t : world.tasks()) {
            long questions = t.trainDescriptions().stream().filter(d -> d.contains("?")).count();
            assertTrue(questions >= 6, t.name() + " has no question among its training descriptions");
            assertTrue(t.trainDescriptions().stream().anyMatch(d -> d.contains(t.format().apply("xyz"))),
                    t.name() + " has no description showing the format");
            Set<Integer> lengths = t.trainDescriptions().stream().map(d -> d.split(" ").length / 8)
                    .collect(Collectors.toSet());
            assertTrue(lengths.size() >= 2, t.name() + ": terse and wordy descriptions");
        }
        for (String e : Descriptions.EVAL_TEMPLATES) {
            assertFalse(Descriptions.TRAIN_TEMPLATES.contains(e), e);
        }
    }
}
