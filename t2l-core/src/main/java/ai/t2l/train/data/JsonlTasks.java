package ai.t2l.train.data;

import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Examples from JSON Lines: each line either {"prompt", "response"} or any object whose fields a template names,
 * e.g. template "{question}\n\nAnswer briefly." with response field "answer" (the reference's
 * user_prompt_template/response_field of metadata.yaml, spec §7.1). Blank lines are skipped.
 */
public final class JsonlTasks {
    private static final Pattern FIELD = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private JsonlTasks() {}

    /** How lines become examples; null template = the "prompt" field. */
    public record Format(String promptTemplate, String responseField, String prefill, String postfill) {
        public static final Format PLAIN = new Format(null, "response", "", "");
    }

    public static TaskData read(Path file, String taskName, List<String> descriptions, Format format) {
        List<TaskExample> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode row;
                try {
                    row = Json.MAPPER.readTree(line);
                } catch (IOException e) {
                    throw new T2lException(file + ":" + lineNo + ": not valid JSON: " + e.getMessage());
                }
                String where = file + ":" + lineNo;
                String prompt = format.promptTemplate() == null ? text(row, "prompt", where)
                        : fill(format.promptTemplate(), row, where);
                String response = text(row, format.responseField(), where);
                out.add(new TaskExample(prompt, format.prefill() + response + format.postfill()));
            }
        } catch (NoSuchFileException e) {
            throw new T2lException(file + ": no such task file");
        } catch (IOException e) {
            throw new T2lException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new T2lException(file + ": task file holds no examples (expected one JSON object per line)");
        }
        return new TaskData(taskName, descriptions, out);
    }

    /** Python str.format over the row's fields, as the reference's templates use (only {name} fields). */
    static String fill(String template, JsonNode row, String where) {
        Matcher m = FIELD.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(text(row, m.group(1), where)));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static String text(JsonNode row, String field, String where) {
        JsonNode v = row.get(field);
        if (v == null || v.isNull()) {
            throw new T2lException(where + ": missing field '" + field + "' (fields present: "
                    + iterable(row.fieldNames()) + ")");
        }
        return v.isTextual() ? v.asText() : v.toString();
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> l = new ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }
}
