package ai.t2l.eval;

import ai.t2l.io.AtomicFiles;
import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Completed generations, appended to {@code cache.jsonl} in the output folder after every batch, so an
 * interrupted evaluation resumes where it stopped. Keyed by condition + task + item id; an entry is used
 * only if its prompt is the one asked now. A torn last line (killed mid-write) is dropped; a bad line
 * elsewhere is an error naming it.
 */
public final class CompletionCache {
    private final Path file;
    private final Map<String, JsonNode> entries = new HashMap<>();

    public CompletionCache(Path file) {
        this.file = file;
        if (Files.exists(file)) {
            load();
        }
    }

    private void load() {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new T2lException(file + ": cannot read the completion cache: " + e.getMessage(), e);
        }
        if (!text.isEmpty() && !text.endsWith("\n")) {
            // torn by an interruption mid-write: drop the partial line so appends start on a fresh line
            text = text.substring(0, text.lastIndexOf('\n') + 1);
            AtomicFiles.writeString(file, text);
        }
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank()) {
                continue;
            }
            JsonNode n;
            try {
                n = Json.MAPPER.readTree(line);
            } catch (JsonProcessingException e) {
                throw new T2lException(file + ":" + (i + 1) + ": not valid JSON in the completion cache ("
                        + e.getOriginalMessage() + "); delete the line or the file to regenerate");
            }
            for (String f : new String[] {"condition", "task", "id", "user", "prefill", "output"}) {
                if (n == null || !n.hasNonNull(f)) {
                    throw new T2lException(file + ":" + (i + 1) + ": completion cache line lacks field \"" + f + "\"");
                }
            }
            entries.put(key(n.get("condition").asText(), n.get("task").asText(), n.get("id").asText()), n);
        }
    }

    private static String key(String condition, String task, String id) {
        return condition + '\u0000' + task + '\u0000' + id;
    }

    /** The cached output for this prompt, or null. */
    public synchronized String get(String condition, String task, String id, ChatPrompt prompt) {
        JsonNode n = entries.get(key(condition, task, id));
        if (n == null || !n.get("user").asText().equals(prompt.user()) || !n.get("prefill").asText().equals(prompt.prefill())) {
            return null;
        }
        return n.get("output").asText();
    }

    /** Appends a batch of completions and forces them to disk before returning. */
    public synchronized void put(String condition, String task, List<String> ids, List<ChatPrompt> prompts, List<String> outputs) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ids.size(); i++) {
            ObjectNode n = Json.MAPPER.createObjectNode();
            n.put("condition", condition);
            n.put("task", task);
            n.put("id", ids.get(i));
            n.put("user", prompts.get(i).user());
            n.put("prefill", prompts.get(i).prefill());
            n.put("output", outputs.get(i));
            try {
                sb.append(Json.MAPPER.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(n)).append('\n');
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            entries.put(key(condition, task, ids.get(i)), n);
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE, StandardOpenOption.SYNC)) {
                out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new T2lException(file + ": cannot append to the completion cache: " + e.getMessage(), e);
        }
    }
}
