package ai.t2l.miniature;

import ai.t2l.io.AtomicFiles;
import ai.t2l.io.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The world as data: {@code tasks.json} (every task with attributes, role and descriptions, plus the controls) and
 * {@code examples/<task>/{train,val,test}.jsonl}. Byte-identical for the same settings: map keys are sorted by the
 * shared mapper, lists keep design order, and line ends are always "\n".
 */
public final class WorldExport {
    private WorldExport() {}

    public static final int FORMAT_VERSION = 1;

    /** Seed and examples per task for each split (held-out tasks get all splits too, for oracle upper bounds). */
    public record Settings(long seed, int trainPerTask, int valPerTask, int testPerTask) {
        public static final Settings DEFAULT = new Settings(42, 256, 32, 64);

        public Settings {
            if (trainPerTask < 0 || valPerTask < 0 || testPerTask < 0) {
                throw new IllegalArgumentException("example counts must be >= 0");
            }
        }

        int count(Split split) {
            return switch (split) {
                case TRAIN -> trainPerTask;
                case VAL -> valPerTask;
                case TEST -> testPerTask;
            };
        }
    }

    private static final ObjectWriter LINE = Json.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT);

    static void write(TaskWorld world, Path dir, Settings settings) {
        AtomicFiles.writeDirectory(dir, false, tmp -> {
            Files.writeString(tmp.resolve("tasks.json"), tasksJson(world, settings), StandardCharsets.UTF_8);
            for (Task task : world.tasks()) {
                Path taskDir = Files.createDirectories(tmp.resolve("examples").resolve(task.name()));
                for (Split split : Split.values()) {
                    StringBuilder b = new StringBuilder();
                    for (Example e : world.examples(task, split, settings.count(split), settings.seed())) {
                        b.append(line(e)).append('\n');
                    }
                    Files.writeString(taskDir.resolve(split.id() + ".jsonl"), b.toString(), StandardCharsets.UTF_8);
                }
            }
        });
    }

    static String tasksJson(TaskWorld world, Settings settings) {
        List<Map<String, Object>> tasks = new ArrayList<>();
        for (Task t : world.tasks()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", t.name());
            m.put("family", t.family());
            m.put("parameter", t.parameter());
            m.put("operation", t.operation());
            m.put("format", t.format().id());
            m.put("split", t.role() == Task.Role.TRAIN ? "train" : "held_out");
            m.put("novelty", t.novelty().name().toLowerCase());
            m.put("train_descriptions", t.trainDescriptions());
            m.put("eval_descriptions", t.evalDescriptions());
            Map<String, Object> files = new LinkedHashMap<>();
            for (Split s : Split.values()) {
                files.put(s.id(), "examples/" + t.name() + "/" + s.id() + ".jsonl");
            }
            m.put("examples", files);
            tasks.add(m);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format_version", FORMAT_VERSION);
        root.put("seed", settings.seed());
        root.put("examples_per_task", Map.of("train", settings.trainPerTask(), "val", settings.valPerTask(),
                "test", settings.testPerTask()));
        root.put("inputs", Map.of("alphabet", "abcdefghijklmnopqrstuvwxyz", "min_length", Inputs.MIN_LENGTH,
                "max_length", Inputs.MAX_LENGTH, "rule", "at least one vowel (aeiou) and one consonant"));
        root.put("prompt_format", "the user turn is the bare input word; the response is the exact answer");
        root.put("families", world.families());
        root.put("controls", Map.of("random_descriptions", ControlDescriptions.random(8, settings.seed())));
        root.put("tasks", tasks);
        return Json.write(root).replace("\r\n", "\n") + "\n";
    }

    private static String line(Example e) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("input", e.input());
        m.put("prompt", e.prompt());
        m.put("response", e.response());
        try {
            return LINE.writeValueAsString(m);
        } catch (JsonProcessingException ex) {
            throw new IOException(ex);
        }
    }
}
