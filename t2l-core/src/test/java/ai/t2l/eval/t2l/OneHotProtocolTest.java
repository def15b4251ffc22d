package ai.t2l.eval.t2l;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.io.T2lException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reference's one-hot evaluation plan (hm/utils/eval_hypermod.py generate_lora_for_tasks_one_hot). */
class OneHotProtocolTest {
    static final List<String> TASKS = List.of("upper", "piqa", "reverse", "arc_easy");

    @Test
    void ownIdAnotherTasksIdAndThreeSharedDirichletMixtures() {
        OneHotProtocol p = new OneHotProtocol(TASKS, 42);
        List<OneHotProtocol.Lora> piqa = p.plan("piqa");
        assertEquals(List.of("train_descs", "other_train_descs", "random_descs", "random_descs", "random_descs"),
                piqa.stream().map(OneHotProtocol.Lora::split).toList());
        assertArrayEquals(new float[] {0, 1, 0, 0}, piqa.get(0).vector());
        float[] other = piqa.get(1).vector();
        assertEquals(1f, sum(other), 0f);
        assertEquals(0f, other[1], "another task's id, never the task's own");
        List<OneHotProtocol.Lora> upper = p.plan("upper");
        for (int k = 0; k < 3; k++) {
            float[] mix = piqa.get(2 + k).vector();
            assertEquals(1f, sum(mix), 1e-6f);
            for (float x : mix) {
                assertTrue(x > 0 && x < 1, "a point inside the simplex: " + x);
            }
            // drawn once, before the task loop, as the reference does
            assertArrayEquals(mix, upper.get(2 + k).vector());
        }
        assertNotEquals(piqa.get(2).vector()[0], piqa.get(3).vector()[0]);
        assertEquals("t2l-one-hot-random_descs/lora_2", piqa.get(4).key());
        // reproducible: the same seed gives the same plan
        assertArrayEquals(other, new OneHotProtocol(TASKS, 42).plan("piqa").get(1).vector());
    }

    @Test
    void aSingleTaskHasNoOtherTaskSplit() {
        assertEquals(List.of("train_descs", "random_descs", "random_descs", "random_descs"),
                new OneHotProtocol(List.of("piqa"), 1).plan("piqa").stream().map(OneHotProtocol.Lora::split).toList());
    }

    @Test
    void anUnseenTaskHasNoOneHotIdAndIsRefused() {
        T2lException e = assertThrows(T2lException.class, () -> new OneHotProtocol(TASKS, 42).plan("gsm8k"));
        assertTrue(e.getMessage().contains("\"gsm8k\" is not one of its 4 training tasks"), e.getMessage());
        assertTrue(e.getMessage().contains("only seen tasks"), e.getMessage());
        assertTrue(e.getMessage().contains("upper, piqa, reverse, arc_easy"), e.getMessage());
    }

    private static float sum(float[] v) {
        float s = 0;
        for (float x : v) {
            s += x;
        }
        return s;
    }
}
