package ai.t2l.eval.report;

import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Finds and reads the per-benchmark result files ({@code results/<condition>/<task>.json}) of run folders. */
public final class ResultFiles {
    /** What the combined table needs from one result file. */
    public record Summary(Path file, String task, String column, String row, double score, int n) {}

    private ResultFiles() {}

    public static List<Summary> read(List<Path> dirs) {
        List<Summary> out = new ArrayList<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                throw new T2lException(dir + ": no such folder (expected an evaluation output folder)");
            }
            Path root = Files.isDirectory(dir.resolve("results")) ? dir.resolve("results") : dir;
            List<Path> files;
            try (Stream<Path> s = Files.walk(root)) {
                // sorted: the table's row order, hence the files, must not depend on the file system
                files = s.filter(p -> p.toString().endsWith(".json") && Files.isRegularFile(p)).sorted().toList();
            } catch (IOException e) {
                throw new T2lException(dir + ": cannot list result files: " + e.getMessage(), e);
            }
            for (Path f : files) {
                JsonNode n = Json.read(f);
                if (!n.has("task") || !n.has("row") || !n.has("score") || !n.has("n")) {
                    continue; // not a result file (e.g. a plan)
                }
                out.add(new Summary(f, n.get("task").asText(), n.path("column").asText(n.get("task").asText()),
                        n.get("row").asText(), n.get("score").asDouble(), n.get("n").asInt()));
            }
        }
        if (out.isEmpty()) {
            throw new T2lException("no result files (results/<condition>/<task>.json) under " + dirs);
        }
        return out;
    }
}
