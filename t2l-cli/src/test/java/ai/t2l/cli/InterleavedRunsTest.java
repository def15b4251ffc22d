package ai.t2l.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link InterleavedRuns}: warm-up rounds of every measure first, then timed rounds A B A B; values in round order. */
class InterleavedRunsTest {
    @Test
    void measuresRunInRoundsAfterAWarmUpOfAll() {
        List<String> calls = new ArrayList<>();
        double[] a = {3, 9, 1, 2}; // warm-up value first, then the timed ones
        double[] b = {5, 8, 4, 6};
        int[] next = {0, 0};
        List<InterleavedRuns.Measure> measures = List.of(
                new InterleavedRuns.Measure("A", () -> {
                    calls.add("A");
                    return a[next[0]++];
                }),
                new InterleavedRuns.Measure("B", () -> {
                    calls.add("B");
                    return b[next[1]++];
                }));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        double[][] values = InterleavedRuns.time(measures, 1, 3, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertEquals(List.of("A", "B", "A", "B", "A", "B", "A", "B"), calls);
        assertArrayEquals(new double[] {9, 1, 2}, values[0], "A's timed values in round order, the warm-up's 3 out");
        assertArrayEquals(new double[] {8, 4, 6}, values[1]);
        assertArrayEquals(new double[] {1, 2, 9}, InterleavedRuns.sorted(new double[] {9, 1, 2}));
        String progress = out.toString(StandardCharsets.UTF_8);
        assertEquals(6, progress.lines().count(), "a line per timed run: " + progress);
        assertEquals(true, progress.lines().toList().get(5).contains("round 3/3"), progress);
    }
}
