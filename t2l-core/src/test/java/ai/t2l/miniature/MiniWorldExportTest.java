package ai.t2l.miniature;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MiniWorldExportTest {
    private static final WorldExport.Settings SMALL = new WorldExport.Settings(7, 12, 3, 5);
    private final TaskWorld world = TaskWorld.standard();

    @TempDir
    Path tmp;

    @Test
    void writingTwiceGivesIdenticalBytes() throws IOException {
        world.writeTo(tmp.resolve("a"), SMALL);
        world.writeTo(tmp.resolve("b"), SMALL);
        List<Path> a = files(tmp.resolve("a"));
        List<Path> b = files(tmp.resolve("b"));
        assertEquals(a.stream().map(p -> tmp.resolve("a").relativize(p)).toList(),
                b.stream().map(p -> tmp.resolve("b").relativize(p)).toList());
        assertEquals(1 + 3 * world.tasks().size(), a.size());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(Files.readAllBytes(a.get(i)), Files.readAllBytes(b.get(i)), "differs: " + a.get(i));
        }
        world.writeTo(tmp.resolve("c"), new WorldExport.Settings(8, 12, 3, 5));
        Path ex = Path.of("examples", world.tasks().get(0).name(), "train.jsonl");
        assertTrue(!Files.readString(tmp.resolve("a").resolve(ex)).equals(Files.readString(tmp.resolve("c").resolve(ex))),
                "another seed gives other examples");
    }

    @Test
    void tasksJsonDescribesEveryTaskAndTheExamplesMatchTheApi() throws IOException {
        Path dir = tmp.resolve("w");
        world.writeTo(dir, SMALL);
        JsonNode root = Json.read(dir.resolve("tasks.json"));
        assertEquals(7, root.get("seed").asLong());
        assertEquals(world.families().size(), root.get("families").size());
        JsonNode tasks = root.get("tasks");
        assertEquals(world.tasks().size(), tasks.size());
        for (int i = 0; i < tasks.size(); i++) {
            Task t = world.tasks().get(i);
            JsonNode n = tasks.get(i);
            assertEquals(t.name(), n.get("name").asText());
            assertEquals(t.role() == Task.Role.TRAIN ? "train" : "held_out", n.get("split").asText());
            assertEquals(t.format().id(), n.get("format").asText());
            assertEquals(t.trainDescriptions().size(), n.get("train_descriptions").size());
            assertEquals(t.evalDescriptions().get(2), n.get("eval_descriptions").get(2).asText());
        }
        Task t = world.heldOutTasks().get(0);
        List<String> lines = Files.readAllLines(dir.resolve("examples").resolve(t.name()).resolve("test.jsonl"));
        List<Example> expected = world.examples(t, Split.TEST, 5, 7);
        assertEquals(5, lines.size());
        for (int i = 0; i < 5; i++) {
            JsonNode n = Json.MAPPER.readTree(lines.get(i));
            assertEquals(expected.get(i), new Example(n.get("input").asText(), n.get("prompt").asText(),
                    n.get("response").asText()));
        }
    }

    @Test
    void refusesANonEmptyFolder() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("busy"));
        Files.writeString(dir.resolve("keep.txt"), "mine");
        assertThrows(T2lException.class, () -> world.writeTo(dir, SMALL));
        assertEquals("mine", Files.readString(dir.resolve("keep.txt")));
    }

    private static List<Path> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
