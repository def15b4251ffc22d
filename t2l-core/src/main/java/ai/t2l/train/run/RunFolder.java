package ai.t2l.train.run;

import ai.t2l.io.AtomicFiles;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.GitCommit;
import ai.t2l.io.Json;
import ai.t2l.io.SafetensorsFile;
import ai.t2l.io.SafetensorsWriter;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A training run's folder: {@code run.json} (kind, resolved config, provenance), {@code metrics.jsonl},
 * {@code checkpoints/step-NNNNNNNN/} (params, optimizer, state; each written whole then renamed), {@code best/}
 * when a trainer keeps its best weights, and {@code loss.svg} at the end. A folder holding another run is refused
 * unless resuming; resuming checks that the config is the same.
 */
public final class RunFolder {
    public static final String RUN = "run.json";
    public static final String METRICS = "metrics.jsonl";
    private static final String CHECKPOINTS = "checkpoints";
    private static final int KEEP = 2;

    private final Path dir;

    private RunFolder(Path dir) {
        this.dir = dir;
    }

    /**
     * @param inputs name → file or folder whose sha256 goes into the provenance
     */
    public static RunFolder open(Path dir, String kind, JsonNode config, Map<String, Path> inputs, boolean resume) {
        Path run = dir.resolve(RUN);
        if (Files.exists(run)) {
            JsonNode prev = Json.read(run);
            if (!resume) {
                throw new T2lException(dir + ": folder already holds a " + prev.path("kind").asText("?")
                        + " run started " + prev.path("provenance").path("date").asText("?")
                        + "; pass --resume to continue it, or choose another folder");
            }
            if (!kind.equals(prev.path("kind").asText())) {
                throw new T2lException(dir + ": cannot resume: the folder holds a " + prev.path("kind").asText()
                        + " run, not " + kind);
            }
            List<String> diff = differences("", prev.path("config"), config);
            if (!diff.isEmpty()) {
                throw new T2lException(dir + ": cannot resume with a different config; changed: " + diff);
            }
            return new RunFolder(dir);
        }
        if (Files.isDirectory(dir) && !isEmpty(dir)) {
            throw new T2lException(dir + ": folder is not empty and holds no " + RUN + "; choose an empty or new folder");
        }
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("kind", kind);
        root.set("config", config);
        ObjectNode prov = root.putObject("provenance");
        prov.put("date", Instant.now().toString());
        prov.put("git_commit", GitCommit.of(Path.of(".")));
        prov.put("java", System.getProperty("java.version"));
        prov.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        ObjectNode hashes = prov.putObject("inputs_sha256");
        inputs.forEach((k, p) -> hashes.put(k, InputHash.of(p)));
        AtomicFiles.writeString(run, Json.write(root));
        return new RunFolder(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Appends one JSON object per line; flushed at once so a killed run keeps its history. */
    public void metrics(Map<String, ?> row) {
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve(METRICS), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            w.write(Json.MAPPER.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(row));
            w.write('\n');
        } catch (IOException e) {
            throw new T2lException(dir.resolve(METRICS) + ": cannot append: " + e.getMessage(), e);
        }
    }

    public List<JsonNode> readMetrics() {
        Path f = dir.resolve(METRICS);
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(f)) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    try {
                        out.add(Json.MAPPER.readTree(line));
                    } catch (IOException e) {
                        // a line cut by a kill mid-write: drop it
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** On resume: drops metric rows written after the checkpoint we continue from, so history is not doubled. */
    public void truncateMetricsAfter(long step) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode row : readMetrics()) {
            if (row.path("step").asLong(0) <= step) {
                sb.append(row.toString()).append('\n');
            }
        }
        AtomicFiles.writeString(dir.resolve(METRICS), sb.toString());
    }

    public void saveCheckpoint(Checkpoint c) {
        Path target = dir.resolve(CHECKPOINTS).resolve(String.format("step-%09d", c.step()));
        AtomicFiles.writeDirectory(target, true, tmp -> {
            SafetensorsWriter.write(tmp.resolve("params.safetensors"), c.params(), null);
            SafetensorsWriter.write(tmp.resolve("optimizer.safetensors"), c.optimizer(), null);
            Files.writeString(tmp.resolve("state.json"), Json.write(c.state()));
        });
        TreeSet<Path> all = checkpointDirs();
        while (all.size() > KEEP) {
            AtomicFiles.deleteRecursively(all.pollFirst());
        }
    }

    /** The newest complete checkpoint (folders are renamed into place whole, so any present one is complete). */
    public Optional<Checkpoint> latestCheckpoint() {
        TreeSet<Path> all = checkpointDirs();
        if (all.isEmpty()) {
            return Optional.empty();
        }
        Path d = all.last();
        JsonNode state = Json.read(d.resolve("state.json"));
        return Optional.of(new Checkpoint(state.path("step").asLong(), readTensors(d.resolve("params.safetensors")),
                readTensors(d.resolve("optimizer.safetensors")), (ObjectNode) state));
    }

    /** Writes the best weights so far (trainers that keep the best, not the last). */
    public void saveBest(Map<String, FloatTensor> params, ObjectNode info) {
        AtomicFiles.writeDirectory(dir.resolve("best"), true, tmp -> {
            SafetensorsWriter.write(tmp.resolve("params.safetensors"), params, null);
            Files.writeString(tmp.resolve("info.json"), Json.write(info));
        });
    }

    public Map<String, FloatTensor> readBest() {
        return readTensors(dir.resolve("best").resolve("params.safetensors"));
    }

    /** Draws loss.svg from metrics.jsonl (rows with "loss" or "val_loss"). */
    public void writeLossCurve(String title) {
        List<LossCurve.Point> train = new ArrayList<>();
        List<LossCurve.Point> val = new ArrayList<>();
        for (JsonNode row : readMetrics()) {
            if (row.has("loss")) {
                train.add(new LossCurve.Point(row.path("step").asDouble(), row.path("loss").asDouble()));
            }
            if (row.has("val_loss")) {
                val.add(new LossCurve.Point(row.path("step").asDouble(), row.path("val_loss").asDouble()));
            }
        }
        AtomicFiles.writeString(dir.resolve("loss.svg"), LossCurve.svg(title, train, val));
    }

    static Map<String, FloatTensor> readTensors(Path file) {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String n : f.names()) {
                out.put(n, f.read(n));
            }
        }
        return out;
    }

    private TreeSet<Path> checkpointDirs() {
        TreeSet<Path> out = new TreeSet<>();
        Path c = dir.resolve(CHECKPOINTS);
        if (!Files.isDirectory(c)) {
            return out;
        }
        try (Stream<Path> s = Files.list(c)) {
            s.filter(p -> p.getFileName().toString().matches("step-\\d{9}")).forEach(out::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> differences(String prefix, JsonNode a, JsonNode b) {
        List<String> out = new ArrayList<>();
        if (a.isObject() && b.isObject()) {
            TreeSet<String> keys = new TreeSet<>();
            a.fieldNames().forEachRemaining(keys::add);
            b.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                out.addAll(differences(prefix.isEmpty() ? k : prefix + "." + k, a.path(k), b.path(k)));
            }
        } else if (a.isNumber() && b.isNumber()) {
            if (a.decimalValue().compareTo(b.decimalValue()) != 0) { // 42 read back from JSON is an int, not a long
                out.add(prefix + " (" + a + " -> " + b + ")");
            }
        } else if (!a.equals(b)) {
            out.add(prefix + " (" + a + " -> " + b + ")");
        }
        return out;
    }
}
