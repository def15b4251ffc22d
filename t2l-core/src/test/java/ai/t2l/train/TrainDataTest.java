package ai.t2l.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.Shared;
import ai.t2l.io.T2lException;
import ai.t2l.train.data.Batch;
import ai.t2l.train.data.DataPrep;
import ai.t2l.train.data.Descriptions;
import ai.t2l.train.data.HierarchicalSampler;
import ai.t2l.train.data.JsonlTasks;
import ai.t2l.train.data.PreparedTask;
import ai.t2l.train.data.Sampler;
import ai.t2l.train.data.SniTasks;
import ai.t2l.train.data.TaskData;
import ai.t2l.train.data.TaskExample;
import ai.t2l.train.data.TokenizedExample;
import ai.t2l.train.data.Truncation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainDataTest {
    @TempDir
    Path tmp;

    @Test
    void sniSampleFilesGetTheReferencePreprocessing() {
        Path f = Shared.data("sni-sample", "task648_answer_generation.json");
        TaskData t = SniTasks.read(f, List.of("d"));
        assertEquals("lol_648", t.name());
        assertEquals(281, t.examples().size());
        TaskExample first = t.examples().get(0);
        assertEquals("You will see a sentence and a given pronoun. Answer with the word in the sentence to which the"
                + " pronoun is referring. Please complete the task without any explanation.\n\n"
                + "text: the city councilmen refused the demonstrators a permit because they feared violence.;"
                + " pronoun: they", first.prompt());
        assertEquals("the city councilmen", first.response());
        // every sample file reads, and the descriptions file has the reference's text for it
        try (var files = Files.list(Shared.data("sni-sample"))) {
            assertEquals(20, files.filter(p -> p.toString().endsWith(".json"))
                    .map(p -> SniTasks.read(p, List.of())).filter(x -> !x.examples().isEmpty()).count());
        } catch (java.io.IOException e) {
            throw new RuntimeException(e);
        }
        Map<String, List<String>> d = Descriptions.read(Shared.data("t2l-descriptions", "train_descriptions.jsonl"),
                Set.of("lol_648"), 128);
        assertEquals(128, d.get("lol_648").size());
    }

    @Test
    void multipleOutputsAreJoinedAndFlagged() throws Exception {
        Path f = tmp.resolve("task001_x.json");
        Files.writeString(f, "{\"Definition\":[\"Say it.\"],\"Instances\":[{\"id\":\"a\",\"input\":\"in\","
                + "\"output\":[\"one\",\"two\"]}]}");
        TaskExample e = SniTasks.read(f, List.of()).examples().get(0);
        assertEquals("Say it. Please complete the task without any explanation.\nThe answer should be a"
                + " comma-separated list of possible completions.\n\nin", e.prompt());
        assertEquals("one, two", e.response());
        assertEquals("lol_001", SniTasks.taskName(f));
    }

    @Test
    void emptyTaskFilesAreRejectedNamingTheFile() throws Exception {
        Path jsonl = tmp.resolve("empty.jsonl");
        Files.writeString(jsonl, "\n\n");
        T2lException e = assertThrows(T2lException.class,
                () -> JsonlTasks.read(jsonl, "t", List.of("d"), JsonlTasks.Format.PLAIN));
        assertTrue(e.getMessage().contains("empty.jsonl") && e.getMessage().contains("no examples"), e.getMessage());
        Path sni = tmp.resolve("task002_y.json");
        Files.writeString(sni, "{\"Definition\":[\"x\"],\"Instances\":[]}");
        e = assertThrows(T2lException.class, () -> SniTasks.read(sni, List.of()));
        assertTrue(e.getMessage().contains("task002_y.json") && e.getMessage().contains("no examples"));
    }

    @Test
    void jsonlWithTemplateAndMissingField() throws Exception {
        Path f = tmp.resolve("t.jsonl");
        Files.writeString(f, "{\"q\":\"2+2\",\"a\":4}\n{\"q\":\"3+3\",\"a\":6}\n");
        TaskData t = JsonlTasks.read(f, "add", List.of("adds"),
                new JsonlTasks.Format("Compute {q}.", "a", "Answer: ", "!"));
        assertEquals(new TaskExample("Compute 2+2.", "Answer: 4!"), t.examples().get(0));
        T2lException e = assertThrows(T2lException.class, () -> JsonlTasks.read(f, "add", List.of(),
                new JsonlTasks.Format("{question}", "a", "", "")));
        assertTrue(e.getMessage().contains("t.jsonl:1") && e.getMessage().contains("'question'"), e.getMessage());
    }

    @Test
    void pairTruncationFollowsLongestFirstFromTheLeft() {
        // {prompt len, response len, max} → {kept prompt, kept response}: HF tokenizers LongestFirst for pairs
        int[][] table = {
            {3, 4, 10, 3, 4}, // fits
            {3, 20, 10, 3, 7}, // only the longer is cut
            {20, 3, 10, 7, 3},
            {8, 9, 10, 5, 5}, // both cut to max/2
            {8, 9, 9, 4, 5}, // odd max: the longer gets the extra token
            {9, 8, 9, 5, 4},
        };
        for (int[] row : table) {
            int[] p = seq(100, row[0]);
            int[] r = seq(200, row[1]);
            boolean[] cut = {false};
            TokenizedExample e = Truncation.apply(p, r, row[2], cut);
            String where = java.util.Arrays.toString(row);
            assertEquals(row[3] + row[4], e.length(), where);
            assertEquals(row[0] + row[1] > row[2], cut[0], where);
            // left side removed: the last prompt token and the last response token survive
            assertEquals(100 + row[0] - 1, e.ids()[row[3] - 1], where);
            assertEquals(200 + row[1] - 1, e.ids()[e.length() - 1], where);
            assertEquals(-100, e.labels()[row[3] - 1], where);
            assertEquals(e.ids()[row[3]], e.labels()[row[3]], where);
        }
    }

    static int[] seq(int start, int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = start + i;
        }
        return a;
    }

    @Test
    void prepareSplitsCountsTruncationAndCaches() {
        List<TaskExample> ex = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ex.add(new TaskExample("p" + i, i == 3 ? "a very long answer indeed" : "r" + i));
        }
        TaskData t = new TaskData("toy", List.of("d"), ex);
        CharEncoder enc = new CharEncoder(64);
        DataPrep.Settings s = new DataPrep.Settings(12, 0.2, tmp.resolve("cache"));
        List<String> report = new ArrayList<>();
        PreparedTask p = DataPrep.prepare(List.of(t), enc, s, report::add).get(0);
        assertEquals(8, p.train().size());
        assertEquals(2, p.validation().size());
        assertEquals(1, p.truncated());
        assertEquals(1, report.size());
        assertTrue(report.get(0).contains("toy") && report.get(0).contains("1 of 10"), report.get(0));
        // prompt "<u> p 0 </>" (4 tokens) is masked; response "<a> r 0 </>" is scored, header included
        assertArrayEquals(new int[] {-100, -100, -100, -100, 2, 4 + 'r' % 60, 4 + '0' % 60, 3},
                p.train().get(0).labels());
        assertEquals(10, enc.calls);
        PreparedTask again = DataPrep.prepare(t, enc, s);
        assertEquals(10, enc.calls, "second preparation must come from the cache");
        assertArrayEquals(p.validation().get(1).ids(), again.validation().get(1).ids());
        assertEquals(1, again.truncated());
        DataPrep.prepare(t, enc, new DataPrep.Settings(13, 0.2, s.cacheDir()));
        assertEquals(20, enc.calls, "a different max length is a different cache entry");
    }

    @Test
    void collatePadsToMultipleOfEightWithIgnoredLabels() {
        Batch b = Batch.collate(List.of(new TokenizedExample(new int[] {5, 6, 7}, new int[] {-100, 6, 7}),
                new TokenizedExample(seq(10, 9), seq(10, 9))), new int[] {0, 1}, new int[] {-1, -1}, 0);
        assertEquals(16, b.seqLen());
        assertArrayEquals(new int[] {5, 6, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, b.ids()[0]);
        assertEquals(-100, b.labels()[0][3]);
        assertEquals(2 + 9, b.targetTokens());
    }

    static PreparedTask task(String name, int nTrain, int nDesc) {
        List<TokenizedExample> tr = new ArrayList<>();
        for (int i = 0; i < nTrain; i++) {
            tr.add(new TokenizedExample(new int[] {i}, new int[] {i}));
        }
        List<String> d = new ArrayList<>();
        for (int i = 0; i < nDesc; i++) {
            d.add(name + i);
        }
        return new PreparedTask(name, d, tr, List.of(), 0);
    }

    @Test
    void hierarchicalSamplerDropsIncompleteGroupAndResumes() {
        List<PreparedTask> tasks = new ArrayList<>();
        for (int t = 0; t < 7; t++) {
            tasks.add(task("t" + t, 3 + t, 2));
        }
        HierarchicalSampler s = new HierarchicalSampler(tasks, 3, 1, new Rng(5));
        assertEquals(2, s.stepsPerEpoch()); // 7 // 3, the group of one is dropped
        Set<Integer> seen = new HashSet<>();
        for (int step = 0; step < 2; step++) {
            List<Sampler.Item> items = s.next();
            assertEquals(3, items.size());
            for (Sampler.Item it : items) {
                assertTrue(seen.add(it.task()), "a task appears twice in one epoch");
                assertTrue(it.example() >= 0 && it.example() < 3 + it.task());
                assertTrue(it.description() == 0 || it.description() == 1);
            }
        }
        Sampler.State saved = s.state();
        List<List<Sampler.Item>> expected = List.of(s.next(), s.next(), s.next());
        HierarchicalSampler r = new HierarchicalSampler(tasks, 3, 1, new Rng(999));
        r.restore(saved);
        assertEquals(expected, List.of(r.next(), r.next(), r.next()));
        assertThrows(T2lException.class, () -> new HierarchicalSampler(tasks.subList(0, 2), 3, 1, new Rng(1)));
    }
}
