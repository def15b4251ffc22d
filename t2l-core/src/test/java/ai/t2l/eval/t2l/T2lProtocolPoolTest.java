package ai.t2l.eval.t2l;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "other task" pool is the reference's {@code ds_descs}: the metadata.yaml descriptions of the training tasks
 * and of the eval tasks (hm/utils/eval_hypermod.py: {@code val_metadata = get_metadata(args.eval_ds_info)}), never
 * the eval tasks' held-out descriptions (issue 12 item 6).
 */
class T2lProtocolPoolTest {
    @TempDir
    Path tmp;

    @Test
    void otherTaskDescriptionsComeFromMetadataNeverFromHeldOutOnes() throws Exception {
        Files.writeString(tmp.resolve("train_task_lists.json"), """
                {"train_ds_names": ["lol_1", "lol_2"], "additional_eval_descs": ["r1", "r2", "r3"]}""");
        Files.writeString(tmp.resolve("eval_descriptions.json"), """
                {"lol_1": ["held1a", "held1b", "held1c"], "lol_9": ["held9a", "held9b", "held9c"],
                 "gsm8k": ["heldGa", "heldGb", "heldGc"]}""");
        Files.writeString(tmp.resolve("train_descriptions.jsonl"), String.join("\n",
                "{\"task\": \"lol_1\", \"descriptions\": [\"meta1a\", \"meta1b\"]}",
                "{\"task\": \"lol_2\", \"descriptions\": [\"meta2a\"]}",
                "{\"task\": \"lol_9\", \"descriptions\": [\"meta9a\", \"meta9b\"]}",
                "{\"task\": \"gsm8k\", \"descriptions\": [\"metaGa\"]}",
                "{\"task\": \"unused\", \"descriptions\": [\"x\"]}") + "\n");
        T2lDescriptions d = T2lDescriptions.load(tmp);
        Set<String> metadata = Set.of("meta1a", "meta1b", "meta2a", "meta9a", "meta9b");
        for (long seed = 0; seed < 20; seed++) {
            List<T2lProtocol.Lora> plan = new T2lProtocol(d, seed).plan("gsm8k");
            List<String> other = plan.stream().filter(l -> l.split().equals("other_train_descs"))
                    .map(T2lProtocol.Lora::description).toList();
            assertEquals(3, other.size(), "one of each of the 3 other tasks, seed " + seed);
            for (String o : other) {
                assertTrue(metadata.contains(o), "seed " + seed + ": '" + o + "' is not a metadata description");
            }
            assertEquals(List.of("heldGa", "heldGb", "heldGc"), plan.stream()
                    .filter(l -> l.split().equals("eval_descs")).map(T2lProtocol.Lora::description).toList());
        }
        // lol_1 is a training task: train_descs is its metadata descriptions[0]; its own descriptions are excluded
        List<T2lProtocol.Lora> own = new T2lProtocol(d, 1).plan("lol_1");
        assertEquals(List.of("meta1a"), own.stream().filter(l -> l.split().equals("train_descs"))
                .map(T2lProtocol.Lora::description).toList());
        own.stream().filter(l -> l.split().equals("other_train_descs")).forEach(l -> assertTrue(
                Set.of("meta2a", "meta9a", "meta9b", "metaGa").contains(l.description()), l.description()));
    }
}
