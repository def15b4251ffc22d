package ai.t2l.eval.bench;

import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Streams benchmark files line by line; every error names the file and the 1-based line. */
public final class DataFiles {
    private DataFiles() {}

    @FunctionalInterface
    public interface LineHandler {
        void accept(int lineNo, String line);
    }

    @FunctionalInterface
    public interface JsonHandler {
        void accept(int lineNo, JsonNode node);
    }

    /** Calls {@code handler} for every line (gzip-decoded when the name ends in .gz); blank last lines too. */
    public static void lines(Path file, LineHandler handler) {
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int no = 0;
            while ((line = r.readLine()) != null) {
                handler.accept(++no, line);
            }
        } catch (NoSuchFileException e) {
            throw missing(file);
        } catch (IOException e) {
            throw new T2lException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** JSON Lines: one object per non-blank line. */
    public static void jsonLines(Path file, JsonHandler handler) {
        lines(file, (no, line) -> {
            if (line.isBlank()) {
                return;
            }
            JsonNode node;
            try {
                node = Json.MAPPER.readTree(line);
            } catch (JsonProcessingException e) {
                throw new T2lException(file + ":" + no + ": not valid JSON: " + e.getOriginalMessage());
            }
            if (node == null || !node.isObject()) {
                throw new T2lException(file + ":" + no + ": expected a JSON object, found "
                        + (node == null ? "nothing" : node.getNodeType()));
            }
            handler.accept(no, node);
        });
    }

    public static T2lException missing(Path file) {
        return new T2lException(file + ": no such file (benchmark data is expected under ../shared/data/benchmarks,"
                + " see its README.md; pass --data DIR to point elsewhere)");
    }

    /** A required string field of a JSON line; the error names file, line and field. */
    public static String text(Path file, int line, JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull() || v.isContainerNode()) {
            throw new T2lException(file + ":" + line + ": field \"" + field + "\": expected a "
                    + "string, found " + (v == null ? "nothing" : v.getNodeType()));
        }
        return v.asText();
    }

    public static JsonNode array(Path file, int line, JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isArray()) {
            throw new T2lException(file + ":" + line + ": field \"" + field + "\": expected an array, found "
                    + (v == null ? "nothing" : v.getNodeType()));
        }
        return v;
    }
}
