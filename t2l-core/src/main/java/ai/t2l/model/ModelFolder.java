package ai.t2l.model;

import ai.t2l.io.AtomicFiles;
import ai.t2l.io.Json;
import ai.t2l.io.SafetensorsWriter;
import ai.t2l.io.T2lException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes a Hugging Face model folder (config.json, model.safetensors in float32, and the tokenizer files when a
 * source folder is given) that {@link Transformer#load} and HF transformers read. The folder is built beside the
 * target and renamed into place whole.
 */
public final class ModelFolder {
    /** The tokenizer files copied along when present in the source folder. */
    public static final List<String> TOKENIZER_FILES =
            List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json");

    private ModelFolder() {}

    /**
     * @param tokenizerDir folder whose {@link #TOKENIZER_FILES} are copied, or null
     * @param metadata     safetensors __metadata__ (e.g. provenance), or null
     */
    public static void write(Path dir, Transformer model, Path tokenizerDir, Map<String, String> metadata,
            boolean overwrite) {
        if (tokenizerDir != null && !Files.isDirectory(tokenizerDir)) {
            throw new T2lException(tokenizerDir + ": no such tokenizer folder");
        }
        var tensors = model.stateDict();
        AtomicFiles.writeDirectory(dir, overwrite, tmp -> {
            Files.writeString(tmp.resolve("config.json"), Json.write(ModelConfigJson.of(model.config())));
            SafetensorsWriter.write(tmp.resolve("model.safetensors"), tensors,
                    metadata == null ? Map.of("format", "pt") : withFormat(metadata));
            if (tokenizerDir != null) {
                for (String f : TOKENIZER_FILES) {
                    Path src = tokenizerDir.resolve(f);
                    if (Files.isRegularFile(src)) {
                        Files.copy(src, tmp.resolve(f));
                    }
                }
            }
        });
    }

    private static Map<String, String> withFormat(Map<String, String> metadata) {
        var m = new java.util.TreeMap<>(metadata);
        m.put("format", "pt"); // HF transformers refuses safetensors without format=pt
        return m;
    }
}
