package ai.t2l.miniature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MiniWorldExamplesTest {
    private final TaskWorld world = TaskWorld.standard();

    @Test
    void examplesAreReproducibleAndDependOnSeedTaskAndSplit() {
        Task a = world.trainTasks().get(0);
        Task b = world.trainTasks().get(1);
        assertEquals(world.examples(a, Split.TRAIN, 50, 7), world.examples(a, Split.TRAIN, 50, 7));
        assertNotEquals(inputs(world.examples(a, Split.TRAIN, 50, 7)), inputs(world.examples(a, Split.TRAIN, 50, 8)));
        assertNotEquals(inputs(world.examples(a, Split.TRAIN, 50, 7)), inputs(world.examples(b, Split.TRAIN, 50, 7)));
        // A longer draw extends a shorter one, so asking for more never reshuffles what was used before.
        assertEquals(world.examples(a, Split.VAL, 10, 7), world.examples(a, Split.VAL, 30, 7).subList(0, 10));
    }

    @Test
    void splitsAreDisjointAcrossAllTasks() {
        Set<String> train = new HashSet<>();
        Set<String> val = new HashSet<>();
        Set<String> test = new HashSet<>();
        for (Task t : world.tasks()) {
            train.addAll(inputs(world.examples(t, Split.TRAIN, 100, 1)));
            val.addAll(inputs(world.examples(t, Split.VAL, 30, 1)));
            test.addAll(inputs(world.examples(t, Split.TEST, 30, 1)));
        }
        assertTrue(disjoint(train, val) && disjoint(train, test) && disjoint(val, test));
    }

    @Test
    void inputsFollowTheSharedDistributionAndAreDistinctWithinADraw() {
        for (Task t : world.tasks()) {
            List<Example> ex = world.examples(t, Split.TRAIN, 64, 3);
            assertEquals(64, new HashSet<>(inputs(ex)).size(), t.name());
            for (Example e : ex) {
                assertTrue(Inputs.valid(e.input()), t.name() + ": " + e.input());
                assertEquals(t.inputCue() + e.input(), e.prompt(), "the user turn is the cue and the word");
            }
        }
    }

    @Test
    void everyResponseScoresCorrectAndPerturbationsScoreWrong() {
        for (Task t : world.tasks()) {
            for (Example e : world.examples(t, Split.TEST, 40, 11)) {
                String r = e.response();
                assertTrue(TaskWorld.score(t, r, e), t.name() + ": " + e);
                assertTrue(TaskWorld.score(t, r + "\n", e), "a trailing newline from generation is tolerated");
                assertFalse(TaskWorld.score(t, r + "x", e), t.name() + ": extra character accepted");
                assertFalse(TaskWorld.score(t, r.substring(0, r.length() - 1), e), t.name() + ": truncation accepted");
                char c = r.charAt(r.length() / 2);
                String swapped = r.substring(0, r.length() / 2) + (c == 'q' ? 'z' : 'q') + r.substring(r.length() / 2 + 1);
                assertFalse(TaskWorld.score(t, swapped, e), t.name() + ": changed character accepted");
                assertFalse(TaskWorld.score(t, null, e));
            }
        }
    }

    @Test
    void sequencesStayShort() {
        MiniChatFormat chat = new MiniChatFormat();
        int longest = 0;
        for (Task t : world.tasks()) {
            for (Example e : world.examples(t, Split.TRAIN, 200, 2)) {
                // Each chat marker is one token, every other character one token.
                String seq = chat.render(e.prompt(), false) + chat.renderAssistant(e.response());
                int tokens = seq.replaceAll("<s>|<\\|user\\|>|<\\|assistant\\|>|<\\|end\\|>", "#").length();
                longest = Math.max(longest, tokens);
            }
        }
        // 65 since pipeline version 8: the cue names the format too ("mirror, with dashes: " + an 8-letter word +
        // its 31-character mirrored answer + 5 markers)
        assertTrue(longest <= 65, "longest sequence " + longest + " tokens");
    }

    private static List<String> inputs(List<Example> ex) {
        return ex.stream().map(Example::input).toList();
    }

    private static boolean disjoint(Set<String> a, Set<String> b) {
        return a.stream().noneMatch(b::contains);
    }
}
