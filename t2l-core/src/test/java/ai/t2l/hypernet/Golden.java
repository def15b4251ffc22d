package ai.t2l.hypernet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.Shared;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/** Fixture access and llm.c-style tensor comparison for the T2L golden tests. */
final class Golden {
    static final String[] VARIANTS = {"L_1024", "L_384", "M_384", "S_384", "recon_L_factorized_384", "recon_M_384"};

    private Golden() {}

    static Path dir(String variant) {
        return Shared.golden("t2l", variant);
    }

    /** task_embeddings.json embeddings[i].task_emb (already normalised) or raw_pooled. */
    static float[] embedding(String variant, int task, String field) {
        JsonNode e = Json.read(dir(variant).resolve("task_embeddings.json")).get("embeddings").get(task).get(field);
        float[] v = new float[e.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) e.get(i).asDouble();
        }
        return v;
    }

    /** Asserts |a − e| ≤ atol everywhere; the message names the tensor, the worst index and both values. */
    static double assertClose(String what, FloatTensor expected, float[] actualData, long[] actualShape, double atol) {
        assertArrayEquals(expected.shape(), actualShape, what + ": shape");
        float[] e = expected.data();
        double worst = 0;
        int at = 0;
        for (int i = 0; i < e.length; i++) {
            double d = Math.abs((double) e[i] - actualData[i]);
            if (d > worst || Double.isNaN(d)) {
                worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                at = i;
            }
        }
        double w = worst;
        int i = at;
        assertTrue(w <= atol, () -> what + ": max |diff| " + w + " at flat index " + i + " (expected " + e[i]
                + ", got " + actualData[i] + "), atol " + atol);
        return worst;
    }
}
