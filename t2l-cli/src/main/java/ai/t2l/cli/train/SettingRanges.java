package ai.t2l.cli.train;

import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Set;

/**
 * Ranges of the training settings, checked before a run folder is made (issue 10 item 10): a zero that would
 * divide (--val_every 0 in lora), a count that must be at least 1, a probability outside [0, 1), a rate that is
 * not a positive finite number. Keys a command does not have are skipped.
 */
final class SettingRanges {
    private SettingRanges() {}

    /** Counts that must be at least 1. */
    private static final Set<String> AT_LEAST_ONE = Set.of("batch_size", "lora_r", "epochs", "checkpoint_every",
            "tasks_per_batch", "points_per_task", "embs_per_task", "n_descs_per_ds", "max_length", "latent_size",
            "head_in_size", "patience", "length_pool");
    /** Counts where 0 means "off" or "derive it" (max_steps 0 = use epochs, val_every 0 = no validation). */
    private static final Set<String> AT_LEAST_ZERO = Set.of("max_steps", "val_every");
    /** Fractions in [0, 1). */
    private static final Set<String> FRACTIONS = Set.of("lora_dropout", "val_fraction", "warmup_frac",
            "label_smoothing");
    /** Numbers that must be finite and > 0. */
    private static final Set<String> POSITIVE = Set.of("lr", "max_grad_norm", "delta_w_scaling", "lora_alpha");
    /** Numbers that must be finite and >= 0. */
    private static final Set<String> NON_NEGATIVE = Set.of("weight_decay", "neftune_alpha", "l2_generated");

    static void check(String kind, Settings s) {
        JsonNode all = s.json();
        for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) all::fields) {
            String k = e.getKey();
            JsonNode v = e.getValue();
            if (AT_LEAST_ONE.contains(k)) {
                atLeast(k, v, 1, "");
            } else if (k.equals("val_every") && kind.equals("lora")) {
                // lora validates every val_every steps for early stopping: 0 would divide by zero
                atLeast(k, v, 1, " (lora validates every N steps for early stopping)");
            } else if (AT_LEAST_ZERO.contains(k)) {
                atLeast(k, v, 0, " (0 = off)");
            } else if (FRACTIONS.contains(k)) {
                double d = v.asDouble();
                if (!(d >= 0 && d < 1)) {
                    throw new T2lException("setting '" + k + "' must be in [0, 1), found " + v);
                }
            } else if (POSITIVE.contains(k)) {
                double d = v.asDouble();
                if (!(d > 0) || !Double.isFinite(d)) {
                    throw new T2lException("setting '" + k + "' must be a finite number > 0, found " + v);
                }
            } else if (NON_NEGATIVE.contains(k)) {
                double d = v.asDouble();
                if (!(d >= 0) || !Double.isFinite(d)) {
                    throw new T2lException("setting '" + k + "' must be a finite number >= 0, found " + v);
                }
            }
        }
    }

    private static void atLeast(String k, JsonNode v, long min, String why) {
        if (v.asLong() < min) {
            throw new T2lException("setting '" + k + "' must be at least " + min + why + ", found " + v);
        }
    }
}
