package ai.t2l.eval.bench;

import ai.t2l.io.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The reference's prompt strings (src/hyper_llm_modulator/utils/eval_prompts.py, shipped as the resource
 * eval_prompts.json, identical to ../shared/reference/eval_prompts.json): user-message templates, the
 * fixed 3-shot ICL blocks and the task-description messages (spec §8.2, §8.3).
 */
public final class EvalPrompts {
    private static final JsonNode ROOT = load();

    private EvalPrompts() {}

    private static JsonNode load() {
        try (InputStream in = EvalPrompts.class.getResourceAsStream("/ai/t2l/eval/eval_prompts.json")) {
            if (in == null) {
                throw new IllegalStateException("resource /ai/t2l/eval/eval_prompts.json is missing from the jar");
            }
            return Json.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String template(String task) {
        return get("TASK_TEMPLATES", task);
    }

    /** The ICL block; empty for humaneval (0-shot). */
    public static String inContextExamples(String task) {
        return get("IN_CONTEXT_EXAMPLES", task);
    }

    public static String taskDescription(String task) {
        return get("TASK_DESCRIPTION_MESSAGES", task);
    }

    private static String get(String table, String task) {
        JsonNode v = ROOT.path(table).get(task);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("eval_prompts.json: " + table + " has no entry for " + task);
        }
        return v.asText();
    }
}
