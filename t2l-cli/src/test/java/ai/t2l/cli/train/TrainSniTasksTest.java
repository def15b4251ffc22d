package ai.t2l.cli.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.io.Json;
import ai.t2l.miniature.MiniTokenizer;
import ai.t2l.model.ModelFolder;
import ai.t2l.model.Transformer;
import ai.t2l.train.BaseModels;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code t2l train sft} on a list of SNI task names read from a natural-instructions folder, with the reference's
 * decontamination (issue 12 item 9): tiny generated task files, and the 15 reference tasks of ../shared/data/sni-sample.
 */
@Timeout(600)
class TrainSniTasksTest {
    static final Path SHARED = Paths.get(System.getProperty("t2l.shared", "../../shared"), "data");

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    static Path model;
    static Path sniDir;
    static Path descriptions;

    @BeforeAll
    static void world() throws Exception {
        model = shared.resolve("tiny-llama");
        try (Transformer t = BaseModels.fresh(TrainCommandTest.tiny(), 3)) {
            ModelFolder.write(model, t, null, null, false);
        }
        MiniTokenizer.write(model);
        sniDir = Files.createDirectories(shared.resolve("tasks"));
        // lol_001 and lol_002 are ordinary tasks; lol_701 is one of the reference's held-out eval tasks
        for (String t : List.of("task001_upper", "task002_reverse", "task701_held_out")) {
            StringBuilder inst = new StringBuilder();
            for (int i = 0; i < 10; i++) {
                inst.append(i == 0 ? "" : ",").append("{\"id\":\"").append(t).append('-').append(i)
                        .append("\",\"input\":\"w").append(i).append("\",\"output\":[\"W").append(i).append("\"]}");
            }
            Files.writeString(sniDir.resolve(t + ".json"), "{\"Definition\":[\"Do it.\"],\"Instances\":[" + inst + "]}");
        }
        descriptions = shared.resolve("descriptions.jsonl");
        Files.writeString(descriptions, """
                {"task": "lol_001", "descriptions": ["Write the word in capital letters."]}
                {"task": "lol_002", "descriptions": ["Spell the word backwards."]}
                {"task": "lol_701", "descriptions": ["Answer computer science questions."]}
                """);
    }

    private List<String> sft(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("--sni_dir", sniDir.toString(), "--descriptions_file",
                descriptions.toString()));
        a.addAll(List.of(extra));
        return sftIn(out, a.toArray(String[]::new));
    }

    private List<String> sftIn(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "sft", "--model", model.toString(), "--out", out.toString(),
                "--max_steps", "1", "--tasks_per_batch", "2", "--latent_size", "16", "--head_in_size", "32",
                "--max_length", "64", "--cache_dir", ""));
        a.addAll(List.of(extra));
        return a;
    }

    private Path list(String... names) throws Exception {
        Path f = tmp.resolve("lists.json");
        Files.writeString(f, "{\"mine\": [" + String.join(",", List.of(names).stream().map(n -> "\"" + n + "\"").toList())
                + "]}");
        return f;
    }

    private static Object[] run(List<String> args) {
        return TrainCommandTest.run(args.toArray(String[]::new));
    }

    @Test
    void theListedTasksComeFromTheSniFolder() throws Exception {
        Path out = tmp.resolve("run");
        Object[] r = run(sft(out, "--train_tasks", list("lol_001", "lol_002") + "#mine"));
        assertEquals(0, r[0], (String) r[2]);
        JsonNode prov = Json.read(out.resolve("run.json")).path("provenance").path("inputs_sha256");
        assertTrue(prov.has("task:lol_001") && prov.has("task:lol_002") && !prov.has("task:lol_701"), prov.toString());
    }

    @Test
    void listedTasksWithoutAFileAreAnErrorOrSkipped() throws Exception {
        Path lists = list("lol_001", "lol_003", "lol_002", "lol_004");
        Object[] r = run(sft(tmp.resolve("a"), "--train_tasks", lists + "#mine"));
        assertEquals(1, r[0]);
        assertTrue(((String) r[2]).contains("error: 2 of the 4 listed tasks have no task file in " + sniDir
                + ": lol_003 (task003_*.json), lol_004 (task004_*.json); point sni_dir"), (String) r[2]);
        r = run(sft(tmp.resolve("b"), "--train_tasks", lists + "#mine", "--missing_tasks", "skip"));
        assertEquals(0, r[0], (String) r[2]);
        assertTrue((r[1] + "" + r[2]).contains("2 of the 4 listed tasks have no task file"), r[1] + "" + r[2]);
    }

    @Test
    void aHeldOutEvalTaskIsRefusedWithTheReasonOrTrainedWithAWarning() throws Exception {
        Path lists = list("lol_001", "lol_701");
        Object[] r = run(sft(tmp.resolve("a"), "--train_tasks", lists + "#mine"));
        assertEquals(1, r[0]);
        String err = (String) r[2];
        assertTrue(err.contains("error: 1 training task(s) would contaminate the evaluation: lol_701: it is one of the"
                + " reference's 11 held-out lots-of-LoRAs evaluation tasks"), err);
        assertTrue(err.contains("contaminated_tasks: warn"), err);
        assertFalse(Files.exists(tmp.resolve("a").resolve("t2l")), "nothing trained");
        // the same check for task files named directly
        r = run(sft(tmp.resolve("b"), "--tasks", sniDir.resolve("task701_held_out.json").toString()));
        assertEquals(1, r[0]);
        r = run(sft(tmp.resolve("c"), "--train_tasks", lists + "#mine", "--contaminated_tasks", "warn"));
        assertEquals(0, r[0], (String) r[2]);
        assertTrue((r[1] + "" + r[2]).contains("warning: contaminated training task (contaminated_tasks: warn) lol_701"),
                r[1] + "" + r[2]);
    }

    @Test
    void theReferenceListOnTheSniSampleTrainsItsFifteenTasks() {
        Path out = tmp.resolve("ref");
        Object[] r = run(sftIn(out, "--train_tasks", "reference-479", "--sni_dir", SHARED.resolve("sni-sample").toString(),
                "--descriptions_file", SHARED.resolve("t2l-descriptions").resolve("train_descriptions.jsonl").toString(),
                "--n_descs_per_ds", "1"));
        assertEquals(1, r[0], "without missing_tasks: skip the 464 absent tasks are an error");
        assertTrue(((String) r[2]).contains("error: 464 of the 479 listed tasks have no task file in"), (String) r[2]);
        r = run(sftIn(out, "--train_tasks", "reference-479", "--sni_dir", SHARED.resolve("sni-sample").toString(),
                "--descriptions_file", SHARED.resolve("t2l-descriptions").resolve("train_descriptions.jsonl").toString(),
                "--n_descs_per_ds", "1", "--missing_tasks", "skip"));
        assertEquals(0, r[0], (String) r[2]);
        JsonNode prov = Json.read(out.resolve("run.json")).path("provenance").path("inputs_sha256");
        List<String> tasks = new ArrayList<>();
        prov.fieldNames().forEachRemaining(k -> {
            if (k.startsWith("task:")) {
                tasks.add(k);
            }
        });
        assertEquals(15, tasks.size(), tasks.toString());
        assertTrue(tasks.contains("task:lol_705") && !tasks.contains("task:lol_701"), tasks.toString());
    }

    @Test
    void sniFilesTrainOnTheirLotsOfLorasTrainPartAndUnseenValidationOnTheValidPart() {
        Path copa = SHARED.resolve("sni-sample").resolve("task1393_superglue_copa_text_completion.json");
        Settings s = Settings.resolve(Keys.data(), null, List.of("--tasks", copa.toString(), "--val_unseen_tasks",
                copa.toString()));
        // 496 instances: Lots-of-LoRAs train 396 / valid 50 / test 50 (not a reference eval task: no 10% split)
        assertEquals(396, TaskInputs.read(s, false).get(0).examples().size());
        assertEquals(50, TaskInputs.read(s, "val_unseen_tasks", false).get(0).examples().size());
        s = Settings.resolve(Keys.data(), null, List.of("--tasks", copa.toString(), "--sni_split", "all"));
        assertEquals(496, TaskInputs.read(s, false).get(0).examples().size());
    }
}
