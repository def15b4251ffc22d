package ai.t2l.hypernet;

import java.time.Instant;
import java.util.Map;

/**
 * Where a hypernetwork checkpoint came from (DESIGN §6: checkpoints carry their config and provenance).
 *
 * @param createdBy   the tool and version that wrote it, e.g. "t2l 0.1.0 train sft"
 * @param createdFrom what it was made from: a training run's data and base model, or an imported file
 * @param createdAt   ISO-8601 instant
 * @param details     free-form extra facts (seed, steps, source checksum, ...)
 */
public record Provenance(String createdBy, String createdFrom, String createdAt, Map<String, String> details) {
    public Provenance {
        details = Map.copyOf(details == null ? Map.of() : details);
    }

    public static Provenance now(String createdBy, String createdFrom, Map<String, String> details) {
        return new Provenance(createdBy, createdFrom, Instant.now().toString(), details);
    }
}
