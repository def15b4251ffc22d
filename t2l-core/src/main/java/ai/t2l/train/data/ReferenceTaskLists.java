package ai.t2l.train.data;

import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Task lists of the reference's SFT config (configs/hyper_lora_decontam_lol_tasks.yaml at 8ba7749), as extracted into
 * ../shared/data/t2l-descriptions/train_task_lists.json; a byte-identical copy ships in this jar
 * ({@code reference_task_lists.json}, Apache-2.0) so {@code train_tasks: reference-479} works without that folder.
 *
 * <ul>
 *   <li>{@code train_ds_names}: the 479 training tasks (spec §7.2);</li>
 *   <li>{@code train_ds_names_commented_out}: the 10 tasks the config comments out because they overlap a benchmark
 *       (decontamination);</li>
 *   <li>{@code eval_unseen_lol_tasks}, {@code eval_benchmarks}: the tasks evaluated as unseen;</li>
 *   <li>the keys of {@code eval_ds_info} ({@link #EVAL_TASKS}): a training task named there gets a validation split
 *       ({@code train[:90%]} / {@code train[90%:]}); every other one trains on all of its examples (hm/data.py
 *       {@code create_dataloaders}, spec §6.5).</li>
 * </ul>
 */
public final class ReferenceTaskLists {
    /** The name of the bundled list in settings. */
    public static final String REFERENCE_479 = "reference-479";

    /** The 31 {@code eval_ds_info} keys in config order: 10 seen SNI tasks, 11 unseen ones, the 10 benchmarks. */
    public static final List<String> EVAL_TASKS = List.of(
            "lol_1711", "lol_140", "lol_1448", "lol_636", "lol_742", "lol_1198", "lol_717", "lol_705", "lol_275",
            "lol_084", "lol_701", "lol_706", "lol_710", "lol_726", "lol_035", "lol_039", "lol_202", "lol_304",
            "lol_362", "lol_614", "lol_1557", "boolq", "gsm8k", "humaneval", "mbpp", "winogrande", "piqa",
            "hellaswag", "arc_easy", "arc_challenge", "openbookqa");

    /**
     * The benchmark each commented-out task overlaps (spec §7.2, from the SNI task names, e.g.
     * task380_boolq_yes_no_question): the reason in the refusal message.
     */
    private static final Map<String, String> OVERLAPS = Map.of("lol_380", "boolq", "lol_381", "boolq",
            "lol_033", "winogrande", "lol_034", "winogrande", "lol_1391", "winogrande", "lol_228", "arc_easy/arc_challenge",
            "lol_080", "piqa", "lol_081", "piqa", "lol_1286", "openbookqa", "lol_1389", "hellaswag");

    private static final String RESOURCE = "reference_task_lists.json";

    private final String source;
    private final JsonNode root;

    private ReferenceTaskLists(String source, JsonNode root) {
        this.source = source;
        this.root = root;
    }

    /** The reference's lists as bundled in the jar. */
    public static ReferenceTaskLists bundled() {
        try (InputStream in = ReferenceTaskLists.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " missing from the jar");
            }
            return new ReferenceTaskLists("the bundled reference lists (" + RESOURCE + ")", new ObjectMapper().readTree(in));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A file of the train_task_lists.json shape (an object of name lists). */
    public static ReferenceTaskLists read(Path file) {
        JsonNode n = Json.read(file);
        if (!n.isObject()) {
            throw new T2lException(file + ": expected a JSON object of task lists (as train_task_lists.json), found "
                    + n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
        }
        return new ReferenceTaskLists(file.toString(), n);
    }

    /**
     * What a {@code train_tasks} value names: {@code reference-479} (the bundled {@code train_ds_names}), or
     * {@code FILE} / {@code FILE#key} (that file's list {@code key}, default {@code train_ds_names}).
     */
    public static List<String> select(String spec) {
        if (spec.equals(REFERENCE_479)) {
            return bundled().list("train_ds_names");
        }
        int hash = spec.lastIndexOf('#');
        String file = hash < 0 ? spec : spec.substring(0, hash);
        String key = hash < 0 ? "train_ds_names" : spec.substring(hash + 1);
        return read(Path.of(file)).list(key);
    }

    /** The list under {@code key}; a missing or non-list key is an error naming the keys there are. */
    public List<String> list(String key) {
        JsonNode a = root.get(key);
        if (a == null || !a.isArray()) {
            List<String> keys = new ArrayList<>();
            root.fields().forEachRemaining(e -> {
                if (e.getValue().isArray()) {
                    keys.add(e.getKey());
                }
            });
            throw new T2lException(source + ": no task list \"" + key + "\"" + (a == null ? "" : " (not a list)")
                    + "; lists there: " + String.join(", ", keys));
        }
        List<String> out = new ArrayList<>();
        for (JsonNode x : a) {
            if (!x.isTextual()) {
                throw new T2lException(source + ": list \"" + key + "\" must hold task names (strings), found " + x);
            }
            out.add(x.asText());
        }
        return out;
    }

    /**
     * Why training on {@code task} would contaminate the reference's evaluation, or null when it does not: the
     * config's decontaminated tasks (benchmark overlap), its unseen lots-of-LoRAs eval tasks and the benchmarks.
     * The 10 training tasks evaluated with unseen descriptions are training tasks, not contamination.
     */
    public static String contamination(String task) {
        return CONTAMINATION.get(task);
    }

    private static final Map<String, String> CONTAMINATION = contaminationReasons();

    private static Map<String, String> contaminationReasons() {
        ReferenceTaskLists b = bundled();
        Map<String, String> m = new LinkedHashMap<>();
        for (String t : b.list("train_ds_names_commented_out")) {
            m.put(t, "the reference's config removes it from training because it overlaps the benchmark "
                    + OVERLAPS.getOrDefault(t, "data") + " (train_ds_names_commented_out, decontamination)");
        }
        for (String t : b.list("eval_unseen_lol_tasks")) {
            m.put(t, "it is one of the reference's 11 held-out lots-of-LoRAs evaluation tasks (eval_unseen_lol_tasks);"
                    + " training on it makes its unseen-task score meaningless");
        }
        for (String t : b.list("eval_benchmarks")) {
            m.put(t, "it is one of the 10 benchmarks T2L is evaluated on as an unseen task (eval_benchmarks)");
        }
        return Map.copyOf(m);
    }
}
