package ai.t2l.miniature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Issue 14 item 5: hand-written descriptions, for the evaluation only, kept out of every trainer. */
class MiniHandWrittenDescriptionsTest {
    private final TaskWorld world = TaskWorld.standard();

    @Test
    void handWrittenDescriptionsCoverTheHeldOutTasksAndOneSeenTaskPerFamilyAndNoTrainerSeesThem() {
        for (Task h : world.heldOutTasks()) {
            assertEquals(2, world.freeFormDescriptions(h).size(), h.name());
        }
        Set<String> seenFamilies = FreeFormDescriptions.SEEN.keySet().stream().map(n -> world.task(n))
                .peek(t -> assertEquals(Task.Role.TRAIN, t.role(), t.name()))
                .map(Task::family).collect(Collectors.toSet());
        assertEquals(new HashSet<>(world.families()), seenFamilies);
        assertEquals(world.heldOutTasks().size() + world.families().size(), world.freeFormTasks().size());

        Set<String> templated = new HashSet<>();
        world.tasks().forEach(t -> {
            templated.addAll(t.trainDescriptions());
            templated.addAll(t.evalDescriptions());
        });
        Set<String> all = new HashSet<>();
        TrainTasks view = world.trainView();
        for (Task t : world.freeFormTasks()) {
            for (String d : world.freeFormDescriptions(t)) {
                assertTrue(all.add(d), "written twice: " + d);
                assertFalse(templated.contains(d), "a templated description: " + d);
                assertTrue(d.chars().allMatch(c -> c >= ' ' && c <= '~'), d);
            }
        }
        for (Task t : view.tasks()) {
            for (String d : view.descriptions(t.name())) {
                assertFalse(all.contains(d), "a trainer sees a hand-written description: " + d);
            }
        }
    }
}
