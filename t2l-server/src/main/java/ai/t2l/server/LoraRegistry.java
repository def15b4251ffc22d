package ai.t2l.server;

import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Existing PEFT adapters served by name, as vLLM's dynamic-LoRA API and its {@code --lora-modules} do
 * (vllm/entrypoints/openai/serving_models.py: load_lora_adapter / unload_lora_adapter): a name is chosen by
 * {@code model} in a request, a duplicate name is refused, and an adapter is checked against the base model when it
 * is loaded, so a misfit is refused with the reason instead of failing a chat later.
 */
final class LoraRegistry {
    /** A loaded adapter: its weights stay in memory until unloaded. */
    record Loaded(String name, Path path, LoraWeights weights, long created) {}

    /** Names clients type as {@code model}: no spaces or control characters, and not our "t2l:" prefix. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._/@+-][A-Za-z0-9._/@+:-]{0,127}");

    private final Map<String, Loaded> loaded = new ConcurrentHashMap<>();
    private final ChatEngine engine;
    private final String baseModel;

    LoraRegistry(ChatEngine engine, String baseModel) {
        this.engine = engine;
        this.baseModel = baseModel;
    }

    /** Reads and checks the folder, then serves it under {@code name}; vLLM's status codes and messages. */
    Loaded load(String name, String path) {
        if (name == null || name.isEmpty() || path == null || path.isEmpty()) {
            throw vllmError(400, "InvalidUserInput", "missing_parameter", name == null || name.isEmpty()
                    ? "lora_name" : "lora_path", "Both 'lora_name' and 'lora_path' must be provided.");
        }
        if (!NAME.matcher(name).matches() || name.startsWith(ModelResolver.ON_THE_FLY) || name.equals(baseModel)
                || name.startsWith(AdapterIds.PREFIX)) {
            throw vllmError(400, "InvalidUserInput", "invalid_value", "lora_name", "lora_name '"
                    + AdapterIds.abbreviate(name) + "' is not usable: 1-128 characters of letters, digits and"
                    + " ._/@+:- , not the base model's name, not starting with 't2l-' (generated adapters' ids) or"
                    + " '" + ModelResolver.ON_THE_FLY + "'");
        }
        if (loaded.containsKey(name)) {
            throw alreadyLoaded(name);
        }
        Path dir = Path.of(path).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw vllmError(404, "NotFoundError", "lora_not_found", "lora_path", "No adapter found for " + dir
                    + " (lora_path must be a PEFT adapter folder on this server's machine)");
        }
        LoraWeights w;
        try {
            w = PeftAdapter.read(dir);
            engine.checkAdapter(w, dir.toString());
        } catch (T2lException | IllegalArgumentException e) {
            throw vllmError(400, "BadRequestError", "invalid_lora", "lora_path", "the adapter in " + dir
                    + " cannot be served with this base model: " + e.getMessage());
        }
        Loaded l = new Loaded(name, dir, w, Instant.now().getEpochSecond());
        if (loaded.putIfAbsent(name, l) != null) {
            throw alreadyLoaded(name); // another request loaded the same name meanwhile
        }
        return l;
    }

    void unload(String name) {
        if (name == null || name.isEmpty()) {
            throw vllmError(400, "InvalidUserInput", "missing_parameter", "lora_name",
                    "'lora_name' needs to be provided.");
        }
        if (loaded.remove(name) == null) {
            throw vllmError(404, "NotFoundError", "lora_not_found", "lora_name", "The lora adapter '"
                    + AdapterIds.abbreviate(name) + "' cannot be found.");
        }
    }

    Optional<Loaded> get(String name) {
        return Optional.ofNullable(loaded.get(name));
    }

    /** In load order. */
    List<Loaded> list() {
        List<Loaded> all = new ArrayList<>(loaded.values());
        all.sort(Comparator.comparingLong(Loaded::created).thenComparing(Loaded::name));
        return all;
    }

    private static ApiException alreadyLoaded(String name) {
        return vllmError(400, "InvalidUserInput", "lora_already_loaded", "lora_name", "The lora adapter '" + name
                + "' has already been loaded.");
    }

    /** vLLM's error types (InvalidUserInput, NotFoundError, BadRequestError) inside our usual error object. */
    private static ApiException vllmError(int status, String type, String code, String param, String message) {
        return new ApiException(status, type, code, param, message);
    }
}
