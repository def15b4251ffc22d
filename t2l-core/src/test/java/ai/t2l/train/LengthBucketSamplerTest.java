package ai.t2l.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.train.data.PreparedTask;
import ai.t2l.train.data.Sampler;
import ai.t2l.train.data.ShuffleSampler;
import ai.t2l.train.data.TokenizedExample;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link ShuffleSampler#byLength}: every row once per epoch, batches of similar lengths, seeded and resumable. */
class LengthBucketSamplerTest {
    private static final int BATCH = 8;

    /** Two tasks of 45 and 30 rows with lengths spread from 1 to 97 (75 rows: the epoch's last batch has 3). */
    private static List<PreparedTask> tasks() {
        List<PreparedTask> out = new ArrayList<>();
        int k = 0;
        for (int size : new int[] {45, 30}) {
            List<TokenizedExample> rows = new ArrayList<>();
            for (int e = 0; e < size; e++, k++) {
                int len = 1 + (k * 37) % 97;
                rows.add(new TokenizedExample(new int[len], new int[len]));
            }
            out.add(new PreparedTask("t" + out.size(), List.of(), rows, List.of(), 0));
        }
        return out;
    }

    private static int length(List<PreparedTask> tasks, Sampler.Item it) {
        return tasks.get(it.task()).train().get(it.example()).length();
    }

    /** Sum over an epoch's batches of (longest row × rows): the tokens a padded batch computes. */
    private static long paddedTokens(List<PreparedTask> tasks, Sampler s) {
        long padded = 0;
        for (int b = 0; b < s.stepsPerEpoch(); b++) {
            List<Sampler.Item> batch = s.next();
            padded += (long) batch.size() * batch.stream().mapToInt(it -> length(tasks, it)).max().orElse(0);
        }
        return padded;
    }

    @Test
    void everyRowOncePerEpochInBatchesOfSimilarLength() {
        List<PreparedTask> tasks = tasks();
        ShuffleSampler s = ShuffleSampler.byLength(tasks, BATCH, new Rng(3), 4);
        assertEquals(10, s.stepsPerEpoch());
        for (int epoch = 0; epoch < 2; epoch++) {
            Set<String> seen = new HashSet<>();
            for (int b = 0; b < s.stepsPerEpoch(); b++) {
                List<Sampler.Item> batch = s.next();
                assertEquals(b < 9 ? BATCH : 3, batch.size(), "batch " + b);
                batch.forEach(it -> assertTrue(seen.add(it.task() + "/" + it.example()), "row twice: " + it));
            }
            assertEquals(75, seen.size(), "epoch " + epoch);
        }
        // sorting within pools of 32 rows cuts the padding of plain shuffling (same seed, same epoch permutation)
        long plain = paddedTokens(tasks, new ShuffleSampler(tasks, BATCH, new Rng(3)));
        long bucketed = paddedTokens(tasks, ShuffleSampler.byLength(tasks, BATCH, new Rng(3), 4));
        assertTrue(bucketed < 0.8 * plain, "padded tokens: bucketed " + bucketed + " vs plain " + plain);
    }

    @Test
    void seededAndResumableMidEpoch() {
        List<PreparedTask> tasks = tasks();
        ShuffleSampler a = ShuffleSampler.byLength(tasks, BATCH, new Rng(5), 4);
        ShuffleSampler b = ShuffleSampler.byLength(tasks, BATCH, new Rng(5), 4);
        for (int i = 0; i < 6; i++) {
            assertEquals(a.next(), b.next());
        }
        Sampler.State mid = a.state();
        List<List<Sampler.Item>> rest = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            rest.add(a.next());
        }
        ShuffleSampler resumed = ShuffleSampler.byLength(tasks, BATCH, new Rng(99), 4);
        resumed.restore(mid);
        for (int i = 0; i < 20; i++) {
            assertEquals(rest.get(i), resumed.next(), "step " + (6 + i) + " after resuming");
        }
        assertNotEquals(ShuffleSampler.byLength(tasks, BATCH, new Rng(6), 4).next(),
                ShuffleSampler.byLength(tasks, BATCH, new Rng(5), 4).next(), "another seed, other batches");
        assertThrows(IllegalArgumentException.class, () -> ShuffleSampler.byLength(tasks, BATCH, new Rng(5), 0));
    }

    @Test
    void poolOfOneBatchIsPlainShuffling() {
        List<PreparedTask> tasks = tasks();
        ShuffleSampler plain = new ShuffleSampler(tasks, BATCH, new Rng(8));
        ShuffleSampler one = ShuffleSampler.byLength(tasks, BATCH, new Rng(8), 1);
        for (int i = 0; i < 25; i++) {
            assertEquals(plain.next(), one.next());
        }
    }
}
