package ai.t2l.embed;

import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/** The reference's text handling and normalisation of description embeddings (T2L-SPEC §3). */
public final class TaskText {
    private TaskText() {}

    /**
     * {@code add_full_stop}: strip surrounding whitespace, append "." when the last character is a letter.
     * Empty or whitespace-only descriptions are refused: the reference would embed "" and produce a meaningless
     * adapter.
     */
    public static String prepare(String description) {
        String s = description == null ? "" : description.strip();
        if (s.isEmpty()) {
            throw new T2lException("the task description is empty; describe the task in a sentence, e.g. "
                    + "\"Solve grade-school math word problems step by step.\"");
        }
        return Character.isLetter(s.codePointBefore(s.length())) ? s + "." : s;
    }

    /** {@code F.normalize(x)} (L2 over the features, eps 1e-12) in float32. */
    public static float[] unit(float[] pooled) {
        double sq = 0;
        for (float v : pooled) {
            sq += (double) v * v;
        }
        float norm = (float) Math.max(Math.sqrt(sq), 1e-12);
        float[] out = new float[pooled.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = pooled[i] / norm;
        }
        return out;
    }

    /** {@code F.normalize(x) * sqrt(dim)} in float32, as the reference's {@code embed_texts}. */
    public static float[] normalize(float[] pooled) {
        double sq = 0;
        for (float v : pooled) {
            sq += (double) v * v;
        }
        float norm = (float) Math.max(Math.sqrt(sq), 1e-12);
        float scale = (float) Math.sqrt(pooled.length);
        float[] out = new float[pooled.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = pooled[i] / norm * scale;
        }
        return out;
    }

    /**
     * A precomputed embedding: a JSON array of floats holding the encoder's pooled output before normalisation
     * (for users who embed elsewhere); normalised here like every other embedding.
     */
    public static TaskEmbedding fromJsonFile(Path file, int expectedDim) {
        JsonNode n = Json.read(file);
        if (!n.isArray()) {
            throw new T2lException(file + ": expected a JSON array of " + expectedDim + " numbers");
        }
        if (n.size() != expectedDim) {
            throw new T2lException(file + ": the embedding has " + n.size() + " values, expected " + expectedDim
                    + " (the hypernetwork's task-embedding size)");
        }
        float[] v = new float[n.size()];
        for (int i = 0; i < v.length; i++) {
            JsonNode x = n.get(i);
            if (!x.isNumber() || !Double.isFinite(x.asDouble())) {
                throw new T2lException(file + ": element " + i + " is " + x + ", expected a finite number");
            }
            if (!Float.isFinite((float) x.asDouble())) { // e.g. 1e308: finite as a double, infinite as float32
                throw new T2lException(file + ": element " + i + " is " + x + ", outside the float32 range (|x| <= "
                        + Float.MAX_VALUE + ")");
            }
            v[i] = (float) x.asDouble();
        }
        return new TaskEmbedding(normalize(v), "(precomputed embedding from " + file + ")", 0, null);
    }
}
