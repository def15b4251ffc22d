package ai.t2l.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.Shared;
import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TaskEmbedderTest {
    static OnnxTaskEmbedder bge;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        bge = OnnxTaskEmbedder.bundled();
    }

    @AfterAll
    static void close() {
        bge.close();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "  Solve math problems  | Solve math problems.",
        "Answer in French.| Answer in French.",
        "Count to 10| Count to 10",
        "Écris un poème| Écris un poème.",
    })
    void addFullStopRule(String in, String out) {
        assertEquals(out, TaskText.prepare(in));
    }

    @Test
    void emptyOrBlankDescriptionIsRefused() {
        for (String s : new String[] {"", "   ", "\n\t", null}) {
            T2lException e = assertThrows(T2lException.class, () -> bge.embed(s));
            assertTrue(e.getMessage().contains("description is empty"), e.getMessage());
        }
    }

    @Test
    void normalisationMatchesTheReferenceFixture() {
        JsonNode emb = Json.read(Shared.golden("t2l", "L_384", "task_embeddings.json")).get("embeddings");
        for (JsonNode e : emb) {
            float[] raw = floats(e.get("raw_pooled"));
            float[] expected = floats(e.get("task_emb"));
            float[] got = TaskText.normalize(raw);
            for (int i = 0; i < raw.length; i++) {
                assertEquals(expected[i], got[i], 1e-6, "task_emb[" + i + "]");
            }
        }
    }

    @Test
    void bundledEncoderGivesNormalisedSemanticEmbeddings() {
        assertEquals(384, bge.dimension());
        TaskEmbedding math = bge.embed("Solve grade-school math word problems step by step");
        TaskEmbedding math2 = bge.embed("Answer arithmetic questions about numbers");
        TaskEmbedding poem = bge.embed("Write a short poem about the sea");
        assertEquals("Solve grade-school math word problems step by step.", math.text());
        assertEquals(Math.sqrt(384), norm(math.vector()), 1e-3);
        assertNull(math.notice());
        assertTrue(dot(math.vector(), math2.vector()) > dot(math.vector(), poem.vector()),
                "related descriptions must be closer than unrelated ones");
    }

    @Test
    void overlongDescriptionIsTruncatedAndReported() {
        String longText = "This task asks you to classify sentences by their sentiment carefully. ".repeat(100);
        TaskEmbedding e = bge.embed(longText);
        assertEquals(512, e.tokens());
        assertNotNull(e.notice());
        assertTrue(e.notice().contains("truncated") && e.notice().contains("512"), e.notice());
        assertEquals(Math.sqrt(384), norm(e.vector()), 1e-3);
    }

    @Test
    void precomputedEmbeddingChecksDimension() throws Exception {
        Path f = tmp.resolve("emb.json");
        Files.writeString(f, "[3.0, 4.0]");
        TaskEmbedding e = TaskText.fromJsonFile(f, 2);
        assertEquals(3 / 5.0 * Math.sqrt(2), e.vector()[0], 1e-6);
        T2lException x = assertThrows(T2lException.class, () -> TaskText.fromJsonFile(f, 384));
        assertTrue(x.getMessage().contains("2 values, expected 384") && x.getMessage().contains("emb.json"), x.getMessage());
    }

    static float[] floats(JsonNode a) {
        float[] v = new float[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) a.get(i).asDouble();
        }
        return v;
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double norm(float[] a) {
        return Math.sqrt(dot(a, a));
    }
}
