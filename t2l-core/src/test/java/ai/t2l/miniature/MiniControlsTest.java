package ai.t2l.miniature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class MiniControlsTest {
    private final TaskWorld world = TaskWorld.standard();

    @Test
    void randomDescriptionsStartWithThePapersAndAreSeeded() {
        List<String> r = ControlDescriptions.random(12, 5);
        assertEquals(ControlDescriptions.PAPER_RANDOM, r.subList(0, 3));
        assertEquals(r, ControlDescriptions.random(12, 5));
        assertNotEquals(r, ControlDescriptions.random(12, 6));
        assertEquals(12, new HashSet<>(r).size());
        assertEquals(List.of("dogs;cats;bananas;"), ControlDescriptions.random(1, 5));
        for (String d : r) {
            assertTrue(d.chars().allMatch(c -> c > ' ' && c <= '~'), d);
        }
    }

    @Test
    void otherTaskDescriptionsComeFromTrainingTasksOfOtherFamilies() {
        for (Task t : world.tasks()) {
            List<String> other = ControlDescriptions.otherTask(world, t, 3, 1);
            assertEquals(3, new HashSet<>(other).size());
            assertEquals(other, ControlDescriptions.otherTask(world, t, 3, 1));
            for (String d : other) {
                Task owner = world.trainTasks().stream().filter(x -> x.trainDescriptions().contains(d)).findFirst()
                        .orElseThrow(() -> new AssertionError("not a training description: " + d));
                assertNotEquals(t.family(), owner.family(), t.name() + " got a description of its own family: " + d);
                assertFalse(t.trainDescriptions().contains(d) || t.evalDescriptions().contains(d));
            }
        }
    }
}
