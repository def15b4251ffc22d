package ai.t2l.lora;

import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * What an adapter's {@code base_model_name_or_path} says: the base model's Hugging Face hub id when known, otherwise
 * the absolute path of its folder. Never a relative path: PEFT, vLLM and llama.cpp resolve it against their own
 * working directory, so {@code ../../model} breaks as soon as the adapter folder moves (issue 11 item 4).
 */
public final class BaseModelRef {
    /**
     * A hub repository id: {@code name} or {@code org/name} (huggingface_hub's validate_repo_id: letters, digits,
     * '-', '_', '.'; at most 96 characters; no "--" or ".." inside, not starting or ending with '-' or '.').
     */
    private static final Pattern HUB_ID = Pattern.compile("[A-Za-z0-9][\\w.-]{0,94}(/[A-Za-z0-9][\\w.-]{0,94})?");

    private BaseModelRef() {}

    public static boolean isHubId(String s) {
        return s != null && HUB_ID.matcher(s).matches() && !s.contains("--") && !s.contains("..")
                && !s.endsWith("-") && !s.endsWith(".") && s.length() <= 96;
    }

    /**
     * The value for a model folder: {@code overrideId} when given (e.g. {@code --base-model-id}), else the
     * config.json {@code _name_or_path} when it is a hub id (transformers' save_pretrained records where the
     * model came from), else the folder's absolute path.
     */
    public static String of(Path modelDir, String overrideId) {
        if (overrideId != null) {
            if (!isHubId(overrideId)) {
                throw new T2lException("--base-model-id: '" + overrideId
                        + "' is not a Hugging Face hub id (expected name or org/name: letters, digits, '-', '_', '.')");
            }
            return overrideId;
        }
        if (modelDir == null) {
            return null;
        }
        Path config = modelDir.resolve("config.json");
        if (Files.isRegularFile(config)) {
            JsonNode n = Json.read(config).get("_name_or_path");
            if (n != null && n.isTextual() && n.asText().contains("/") && isHubId(n.asText())
                    && !Files.exists(Path.of(n.asText()))) {
                return n.asText();
            }
        }
        return modelDir.toAbsolutePath().normalize().toString();
    }

    /**
     * For a generated adapter: {@code overrideId}, else the model folder's hub id, else a hub id recorded by the
     * T2L checkpoint (the reference's args.yaml model_dir, e.g. mistralai/Mistral-7B-Instruct-v0.2), else the
     * model folder's absolute path, else the recorded value made absolute.
     */
    public static String choose(String overrideId, Path modelDir, String recorded) {
        if (overrideId != null || modelDir == null) {
            return overrideId != null ? of(null, overrideId) : forConfig(recorded);
        }
        String fromFolder = of(modelDir, null);
        if (!Path.of(fromFolder).isAbsolute() || recorded == null || !recorded.contains("/") || !isHubId(recorded)
                || recorded.startsWith(".")) {
            return fromFolder;
        }
        return recorded;
    }

    /**
     * Normalises what a caller passes to the adapter writer: null or blank stays null, an absolute path or a hub
     * id is kept, a relative path (starting with '.' or naming an existing file here) becomes absolute.
     */
    public static String forConfig(String baseModel) {
        if (baseModel == null || baseModel.isBlank()) {
            return null;
        }
        Path p;
        try {
            p = Path.of(baseModel);
        } catch (InvalidPathException e) {
            return baseModel;
        }
        if (p.isAbsolute()) {
            return p.normalize().toString();
        }
        if (baseModel.startsWith(".") || Files.exists(p) || !isHubId(baseModel)) {
            return p.toAbsolutePath().normalize().toString();
        }
        return baseModel;
    }
}
