package ai.t2l.train.data;

import java.util.List;

/**
 * Task lists of the reference's SFT config (configs/hyper_lora_decontam_lol_tasks.yaml at 8ba7749, also in
 * ../shared/data/t2l-descriptions/train_task_lists.json): the keys of {@code eval_ds_info}. A training task named
 * here gets a validation split ({@code train[:90%]} / {@code train[90%:]}); every other training task trains on
 * all of its examples (hm/data.py {@code create_dataloaders}, spec §6.5).
 */
public final class ReferenceTaskLists {
    /** The 31 {@code eval_ds_info} keys in config order: 10 seen SNI tasks, 11 unseen ones, the 10 benchmarks. */
    public static final List<String> EVAL_TASKS = List.of(
            "lol_1711", "lol_140", "lol_1448", "lol_636", "lol_742", "lol_1198", "lol_717", "lol_705", "lol_275",
            "lol_084", "lol_701", "lol_706", "lol_710", "lol_726", "lol_035", "lol_039", "lol_202", "lol_304",
            "lol_362", "lol_614", "lol_1557", "boolq", "gsm8k", "humaneval", "mbpp", "winogrande", "piqa",
            "hellaswag", "arc_easy", "arc_challenge", "openbookqa");

    private ReferenceTaskLists() {}
}
