package ai.t2l.eval;

import java.nio.file.Path;
import java.util.Optional;

/**
 * One evaluated setting: a cache/folder key, the row it belongs to in the combined table, the prompt
 * options, and the adapter applied (none for the base model). Several conditions may share a row: the
 * three LoRAs of a T2L split are averaged into it (spec §8.3).
 */
public record Condition(String key, String row, PromptOptions prompts, Optional<Path> adapter) {
    public Condition {
        if (!key.matches("[A-Za-z0-9_.+=-]+(/[A-Za-z0-9_.+=-]+)*")) {
            throw new IllegalArgumentException("condition key must be a safe relative path: " + key);
        }
    }

    public static Condition base(String modelName, PromptOptions p) {
        return new Condition(p.key(), modelName + p.label(), p, Optional.empty());
    }

    public static Condition adapter(String modelName, Path adapterDir, PromptOptions p) {
        String name = safe(adapterDir.toAbsolutePath().normalize().getFileName().toString());
        return new Condition("adapter-" + name + "/" + p.key(), modelName + " + " + name + p.label(), p,
                Optional.of(adapterDir));
    }

    static String safe(String s) {
        String r = s.replaceAll("[^A-Za-z0-9_.+=-]", "_");
        return r.isEmpty() || r.startsWith(".") ? "_" + r : r;
    }
}
