package ai.t2l.hypernet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.Shared;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One-hot T2L (spec §2.2, §9): the task → index table travels with the checkpoint (our folder's
 * {@code hypernet.task_names}, the reference's args.yaml {@code train_ds_names}) and the Hyperdecoders'
 * input-as-description flag too; unknown tasks are clear errors.
 */
class OneHotCheckpointTest {
    @TempDir
    Path tmp;

    static HyperConfig oneHot(List<String> tasks) {
        return HyperConfig.builder().latentSize(16).headInSize(24).taskEmbDim(tasks.size()).numLayers(2)
                .module("q_proj", 16, 16).module("v_proj", 16, 8).encoderType(TaskEncoderType.ONE_HOT)
                .taskNames(tasks).build();
    }

    @Test
    void theTableIndexesTasksInTrainingOrderAndNamesUnknownTasks() {
        OneHotTasks t = new OneHotTasks(List.of("upper", "reverse", "piqa"));
        assertEquals(1, t.index("reverse"));
        assertArrayEquals(new float[] {0, 0, 1}, t.vector("piqa"));
        T2lException e = assertThrows(T2lException.class, () -> t.vector("gsm8k"));
        assertTrue(e.getMessage().contains("'gsm8k' is not one of the 3 training tasks"), e.getMessage());
        assertTrue(e.getMessage().contains("upper, reverse, piqa"), e.getMessage());
        T2lException dup = assertThrows(T2lException.class, () -> new OneHotTasks(List.of("a", "b", "a")));
        assertTrue(dup.getMessage().contains("'a' appears twice"), dup.getMessage());
    }

    @Test
    void aOneHotConfigNeedsOneNameperInputAndALinearOneNone() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HyperConfig.builder()
                .latentSize(16).headInSize(24).taskEmbDim(3).numLayers(2).module("q_proj", 16, 16)
                .module("v_proj", 16, 8).encoderType(TaskEncoderType.ONE_HOT).taskNames(List.of("a", "b")).build());
        assertTrue(e.getMessage().contains("width 3 needs 3 task names") && e.getMessage().contains("found 2"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HyperConfig.builder().latentSize(16).headInSize(24)
                .taskEmbDim(2).numLayers(2).module("q_proj", 16, 16).module("v_proj", 16, 8)
                .taskNames(List.of("a", "b")).build());
        T2lException notOneHot = assertThrows(T2lException.class,
                () -> OneHotTasks.of(HyperInitTest.tiny(Variant.L, TrainingTask.SFT)));
        assertTrue(notOneHot.getMessage().contains("not one-hot task ids"), notOneHot.getMessage());
    }

    @Test
    void ourFolderKeepsTheTableAndTheInputFlag() {
        HyperConfig c = oneHot(List.of("upper", "reverse", "piqa"));
        Path dir = tmp.resolve("one-hot");
        float[] e1 = new OneHotTasks(c.taskNames()).vector("reverse");
        LoraWeights before;
        try (HyperModulator h = HyperModulator.create(c, 3, null)) {
            before = h.generate(e1);
            T2lFolder.save(dir, h, Provenance.now("test", "OneHotCheckpointTest", Map.of()), false);
        }
        try (HypernetCheckpoint ck = HypernetCheckpoint.load(dir, LoadOptions.defaults(), null)) {
            assertEquals(TaskEncoderType.ONE_HOT, ck.config().encoderType());
            assertEquals(List.of("upper", "reverse", "piqa"), ck.config().taskNames());
            assertEquals(c.taskNames(), HypernetCheckpoint.readConfig(dir, LoadOptions.defaults()).taskNames());
            LoraWeights after = ck.hypernet().generate(OneHotTasks.of(ck.config()).vector("reverse"));
            assertArrayEquals(before.get(1, "v_proj").b().data(), after.get(1, "v_proj").b().data());
        }

        HyperConfig hd = HyperConfig.builder().latentSize(16).headInSize(24).taskEmbDim(8).numLayers(2)
                .module("q_proj", 16, 16).module("v_proj", 16, 8).inputAsDescription(true).build();
        Path hdDir = tmp.resolve("hyperdecoder");
        try (HyperModulator h = HyperModulator.create(hd, 3, null)) {
            T2lFolder.save(hdDir, h, Provenance.now("test", "OneHotCheckpointTest", Map.of()), false);
        }
        assertTrue(HypernetCheckpoint.readConfig(hdDir, LoadOptions.defaults()).inputAsDescription());
        assertFalse(HypernetCheckpoint.readConfig(dir, LoadOptions.defaults()).inputAsDescription());
    }

    /**
     * A released checkpoint trained with {@code use_one_hot_task_emb}: its table is args.yaml train_ds_names (the
     * golden L_384 folder with the flag set and 384 task names, the width of its task encoder).
     */
    @Test
    void aReferenceOneHotCheckpointTakesItsTableFromTrainDsNames() throws IOException {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 384; i++) {
            names.add("task_" + i);
        }
        Path dir = referenceCopy(names, true, false);
        Path model = Shared.golden("mistral");
        try (HypernetCheckpoint ck = HypernetCheckpoint.load(dir, LoadOptions.defaults().withModelDir(model), null)) {
            assertEquals(TaskEncoderType.ONE_HOT, ck.config().encoderType());
            assertEquals(names, ck.config().taskNames());
            float[] e7 = new float[384];
            e7[7] = 1;
            assertArrayEquals(ck.hypernet().generate(e7).get(0, "q_proj").a().data(),
                    ck.hypernet().generate(OneHotTasks.of(ck.config()).vector("task_7")).get(0, "q_proj").a().data());
        }
        assertTrue(HypernetCheckpoint.readConfig(referenceCopy(names.subList(0, 384), false, true),
                LoadOptions.defaults().withModelDir(model)).inputAsDescription(), "use_inp_as_desc: true is read");

        // the fixture's own 479 names do not fit its 384-wide encoder
        Path wrong = referenceCopy(null, true, false);
        T2lException e = assertThrows(T2lException.class,
                () -> HypernetCheckpoint.load(wrong, LoadOptions.defaults().withModelDir(model), null));
        assertTrue(e.getMessage().contains("args.yaml") && e.getMessage().contains("needs 384 task names")
                && e.getMessage().contains("found 479"), e.getMessage());
    }

    private int copies;

    /** L_384 with use_one_hot_task_emb / use_inp_as_desc set; {@code names} replaces train_ds_names (null: keep). */
    private Path referenceCopy(List<String> names, boolean oneHot, boolean inputAsDesc) throws IOException {
        Path dir = tmp.resolve("ref-" + copies++);
        Files.createDirectories(dir);
        for (String f : List.of("hypermod.pt", "adapter_config.json")) {
            Files.copy(Golden.dir("L_384").resolve(f), dir.resolve(f));
        }
        String args = Files.readString(Golden.dir("L_384").resolve("args.yaml"))
                .replace("use_one_hot_task_emb: false", "use_one_hot_task_emb: " + oneHot)
                .replace("use_inp_as_desc: false", "use_inp_as_desc: " + inputAsDesc);
        if (names != null) {
            args = args.replaceAll("(?m)^train_ds_names:\\n(- .*\\n)+", "train_ds_names:\n"
                    + String.join("", names.stream().map(n -> "- " + n + "\n").toList()));
        }
        Files.writeString(dir.resolve("args.yaml"), args);
        return dir;
    }
}
