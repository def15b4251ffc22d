package ai.t2l.train.data;

import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Task descriptions from a JSONL file of {"task": name, "descriptions": [...]} (the shape of
 * data/t2l-descriptions/train_descriptions.jsonl), keeping the first {@code limit} per task (the reference trains on
 * the first 128, spec §3). Only the wanted tasks are kept; the file is streamed.
 */
public final class Descriptions {
    private Descriptions() {}

    public static Map<String, List<String>> read(Path file, Set<String> wanted, int limit) {
        Map<String, List<String>> out = new HashMap<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode row = Json.MAPPER.readTree(line);
                String task = row.path("task").asText(null);
                if (task == null || !row.path("descriptions").isArray()) {
                    throw new T2lException(file + ":" + lineNo + ": expected {\"task\", \"descriptions\": [...]}");
                }
                if (wanted == null || wanted.contains(task)) {
                    List<String> d = new ArrayList<>();
                    for (JsonNode n : row.get("descriptions")) {
                        if (d.size() < limit) {
                            d.add(n.asText());
                        }
                    }
                    out.put(task, d);
                }
            }
        } catch (IOException e) {
            throw new T2lException(file + ": cannot read descriptions: " + e.getMessage(), e);
        }
        return out;
    }
}
