package ai.t2l.cli.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings of the training commands and their defaults, in groups that the commands combine. Names and values
 * follow the reference (spec §5.1, §5.3, §6.4, §9); "" means unset.
 */
final class Keys {
    private Keys() {}

    /** Where the examples come from and how they become tokens (spec §7). */
    static Map<String, Object> data() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", ""); // base model folder (config.json, safetensors, tokenizer.json)
        m.put("tokenizer", ""); // folder with tokenizer.json; default: the model folder
        m.put("tasks", List.of()); // JSONL or SNI .json task files, or folders of them
        // a list of SNI task names to train on (docs/TRAINING.md): "reference-479" (the reference's 479 training
        // tasks), or FILE / FILE#key (a list of a train_task_lists.json-shaped file); files come from sni_dir
        m.put("train_tasks", "");
        m.put("sni_dir", ""); // natural-instructions tasks/ folder (taskNNN_*.json), for train_tasks
        m.put("missing_tasks", "error"); // error | skip: listed tasks without a file in sni_dir
        // SNI files: "reference" = the Lots-of-LoRAs train part, first 10000 (spec 7.3; valid part for
        // val_unseen_tasks), "all" = every instance
        m.put("sni_split", "reference");
        // sft, mt-lora: a training task the reference holds out or decontaminated: refuse | warn
        m.put("contaminated_tasks", "refuse");
        m.put("descriptions_file", ""); // JSONL {"task", "descriptions": [...]}
        m.put("descriptions", List.of()); // inline descriptions for a single task file
        m.put("n_descs_per_ds", 128);
        m.put("prompt_template", ""); // JSONL: e.g. "{question}"; "" reads the "prompt" field
        m.put("response_field", "response");
        m.put("assistant_prefill", "");
        m.put("assistant_postfill", "");
        m.put("system_message", "");
        m.put("max_length", 512);
        m.put("val_fraction", 0.1);
        // tasks that lose val_fraction to validation (sft, mt-lora): "reference" = the reference's eval_ds_info
        // tasks (spec §6.5; the others train on all their examples), "all" = every task, or task names
        m.put("val_tasks", List.of("reference"));
        // further SFT validation sets (spec §6.5), logged as val_unseen_loss / val_benchmark_loss: task files
        m.put("val_unseen_tasks", List.of());
        m.put("val_benchmark_tasks", List.of());
        m.put("val_limit", 500); // examples per task in those sets (the reference: valid[:500], train[:500])
        m.put("cache_dir", "~/.cache/t2l/token-cache"); // "" disables the token cache
        m.put("seed", 42L);
        return m;
    }

    static Map<String, Object> optim(double lr, double weightDecay, double warmupFrac) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lr", lr);
        m.put("weight_decay", weightDecay);
        m.put("warmup_frac", warmupFrac);
        m.put("max_grad_norm", 1.0);
        return m;
    }

    static Map<String, Object> lora(double dropout) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lora_r", 8);
        m.put("lora_alpha", 16.0);
        m.put("use_rslora", true);
        m.put("lora_dropout", dropout);
        m.put("target_modules", List.of("q_proj", "v_proj"));
        return m;
    }

    /** The hypernetwork (spec §2, §6.4) and the description encoder (spec §3). */
    static Map<String, Object> hyper() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("variant", "L"); // L, M or S
        m.put("latent_size", 128);
        m.put("head_in_size", 512);
        m.put("encoder", ""); // ONNX encoder folder; "" = the bundled bge-small-en-v1.5
        m.put("pooling", "CLS");
        // linear: description embeddings; one_hot: the training task's one-hot id (reference use_one_hot_task_emb,
        // width = number of training tasks, descriptions ignored; spec §2.2, §9)
        m.put("task_encoder", "linear");
        return m;
    }

    static Map<String, Object> steps(int epochs, int checkpointEvery) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epochs", epochs);
        m.put("max_steps", 0L); // > 0 overrides epochs
        m.put("checkpoint_every", checkpointEvery);
        return m;
    }

    @SafeVarargs
    static Map<String, Object> of(Map<String, Object>... groups) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map<String, Object> g : groups) {
            m.putAll(g);
        }
        return m;
    }
}
