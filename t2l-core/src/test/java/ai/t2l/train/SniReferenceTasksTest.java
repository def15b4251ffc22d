package ai.t2l.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.io.T2lException;
import ai.t2l.Shared;
import ai.t2l.train.data.ReferenceTaskLists;
import ai.t2l.train.data.SniFolder;
import ai.t2l.train.data.SniSplit;
import ai.t2l.train.data.SniTasks;
import ai.t2l.train.data.TaskData;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reference's 479-task SNI pipeline (issue 12 item 9): lists, decontamination, Lots-of-LoRAs parts. */
class SniReferenceTasksTest {
    @TempDir
    Path tmp;

    @Test
    void splitSizesMatchThePublishedLotsOfLorasCards() {
        // {instances, train, valid, test} from the Hugging Face cards of Lots-of-LoRAs/task1557, task859, task1333,
        // task247, task1393, task642
        int[][] cards = {{754, 603, 75, 76}, {94, 75, 9, 10}, {177, 141, 18, 18}, {6111, 4888, 611, 612},
            {496, 396, 50, 50}, {300, 240, 30, 30}};
        for (int[] c : cards) {
            List<Integer> train = SniSplit.indices(c[0], SniSplit.Part.TRAIN);
            List<Integer> valid = SniSplit.indices(c[0], SniSplit.Part.VALID);
            List<Integer> test = SniSplit.indices(c[0], SniSplit.Part.TEST);
            assertArrayEquals(new int[] {c[1], c[2], c[3]}, new int[] {train.size(), valid.size(), test.size()},
                    "n = " + c[0]);
            Set<Integer> all = new HashSet<>(train);
            all.addAll(valid);
            all.addAll(test);
            assertEquals(c[0], all.size(), "the parts are disjoint and cover every instance");
        }
    }

    @Test
    void sampleTaskPartsAreDisjointAndTheTrainPartIsCapped() {
        Path f = Shared.data("sni-sample", "task1393_superglue_copa_text_completion.json");
        assertEquals(396, SniTasks.read(f, List.of(), SniSplit.Part.TRAIN, 0).examples().size());
        assertEquals(100, SniTasks.read(f, List.of(), SniSplit.Part.TRAIN, 100).examples().size());
        assertEquals(496, SniTasks.read(f, List.of()).examples().size(), "no split: every instance");
        Set<String> train = new HashSet<>();
        SniTasks.instances(f, SniSplit.Part.TRAIN).forEach(i -> train.add(i.id()));
        List<SniTasks.Instance> test = SniTasks.instances(f, SniSplit.Part.TEST);
        assertEquals(50, test.size());
        test.forEach(i -> assertTrue(!train.contains(i.id()), i.id() + " is in train and test"));
        assertTrue(test.get(0).id().startsWith("task1393-"), "the file's own instance ids: " + test.get(0).id());
    }

    @Test
    void markersTheReferenceSplitsOnCutTheTextAsItsSplitDoes() throws Exception {
        // the reference: txt.split("Definition: ")[1].split("\n\nPositive Example")[0] and
        // ...split("Input: ")[1].split("\nOutput:")[0] over the full SNI prompt
        Path f = tmp.resolve("task007_markers.json");
        Files.writeString(f, "{\"Definition\":[\"Answer.\\n\\nPositive Example: none\"],\"Instances\":["
                + "{\"id\":\"a\",\"input\":\"question one\\nOutput: leaked\",\"output\":[\"x\"]},"
                + "{\"id\":\"b\",\"input\":\"plain\",\"output\":[\"y\"]}]}");
        TaskData t = SniTasks.read(f, List.of());
        assertEquals("Answer. Please complete the task without any explanation.\n\nquestion one",
                t.examples().get(0).prompt());
        assertEquals("Answer. Please complete the task without any explanation.\n\nplain", t.examples().get(1).prompt());
    }

    @Test
    void theBundledListsAreTheSharedFileByteForByte() throws Exception {
        byte[] shared = Files.readAllBytes(Shared.data("t2l-descriptions", "train_task_lists.json"));
        try (InputStream in = ReferenceTaskLists.class.getResourceAsStream("reference_task_lists.json")) {
            assertArrayEquals(shared, in.readAllBytes());
        }
        List<String> names = ReferenceTaskLists.select(ReferenceTaskLists.REFERENCE_479);
        assertEquals(479, names.size());
        assertEquals(479, new HashSet<>(names).size());
        Path file = Shared.data("t2l-descriptions", "train_task_lists.json");
        assertEquals(11, ReferenceTaskLists.select(file + "#eval_unseen_lol_tasks").size());
        assertEquals(names, ReferenceTaskLists.select(file.toString()));
        T2lException e = assertThrows(T2lException.class, () -> ReferenceTaskLists.select(file + "#nope"));
        assertTrue(e.getMessage().contains("no task list \"nope\"") && e.getMessage().contains("train_ds_names"),
                e.getMessage());
    }

    @Test
    void contaminationNamesTheReason() {
        assertTrue(ReferenceTaskLists.contamination("lol_380").contains("boolq"));
        assertTrue(ReferenceTaskLists.contamination("lol_1389").contains("hellaswag"));
        assertTrue(ReferenceTaskLists.contamination("lol_701").contains("held-out"));
        assertTrue(ReferenceTaskLists.contamination("gsm8k").contains("benchmarks"));
        // training tasks evaluated with unseen descriptions are training tasks
        assertNull(ReferenceTaskLists.contamination("lol_705"));
        assertNull(ReferenceTaskLists.contamination("lol_648"));
        for (String t : ReferenceTaskLists.select(ReferenceTaskLists.REFERENCE_479)) {
            assertNull(ReferenceTaskLists.contamination(t), t);
        }
    }

    @Test
    void missingListedTasksAreCountedAndNamed() {
        Path dir = Shared.data("sni-sample");
        List<String> names = ReferenceTaskLists.select(ReferenceTaskLists.REFERENCE_479);
        T2lException e = assertThrows(T2lException.class, () -> SniFolder.resolve(dir, names, false, m -> { }));
        assertTrue(e.getMessage().startsWith("464 of the 479 listed tasks have no task file in " + dir + ": lol_742"
                + " (task742_*.json), lol_1198 (task1198_*.json)"), e.getMessage());
        assertTrue(e.getMessage().contains("missing_tasks: skip"), e.getMessage());
        List<String> warned = new ArrayList<>();
        List<Path> files = SniFolder.resolve(dir, names, true, warned::add);
        assertEquals(15, files.size(), "the sample's 15 reference training tasks");
        assertEquals(1, warned.size());
        assertTrue(warned.get(0).startsWith("464 of the 479"), warned.get(0));
    }
}
