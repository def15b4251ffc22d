package ai.t2l.miniature.build;

import ai.t2l.embed.TaskEmbedder;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.SafetensorsFile;
import ai.t2l.io.SafetensorsWriter;
import ai.t2l.io.T2lException;
import ai.t2l.miniature.Task;
import ai.t2l.miniature.TaskWorld;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Description embeddings of the world, computed once with the description encoder and kept in one safetensors
 * file: {@code train.<task>} (training descriptions of training tasks, n × dim) and {@code eval.<task>} (evaluation
 * descriptions of every task). Training stages read only {@code train.*}.
 */
public final class MiniEmbeddings {
    public static final String FILE = "embeddings.safetensors";

    private MiniEmbeddings() {}

    public static void compute(TaskWorld world, TaskEmbedder embedder, Path file, Progress progress) {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        long total = world.trainTasks().stream().mapToLong(t -> t.trainDescriptions().size()).sum()
                + world.tasks().stream().mapToLong(t -> t.evalDescriptions().size()).sum();
        progress.start("description embeddings (" + embedder.name() + ")", total);
        long[] done = {0};
        for (Task t : world.trainTasks()) {
            out.put("train." + t.name(), embedAll(embedder, t.trainDescriptions(), done, progress));
        }
        for (Task t : world.tasks()) {
            out.put("eval." + t.name(), embedAll(embedder, t.evalDescriptions(), done, progress));
        }
        // float16: ~200 tasks x 35 descriptions x 384 values would be 11 MB in float32, a third of the miniature;
        // the hypernetwork trains on the widened float16 values (within 0.1% of the encoder's float32 output)
        SafetensorsWriter.writeHalf(file, out, Map.of("encoder", embedder.name()));
        progress.end(out.size() + " tensors");
    }

    private static FloatTensor embedAll(TaskEmbedder e, List<String> texts, long[] done, Progress progress) {
        float[] flat = new float[texts.size() * e.dimension()];
        for (int i = 0; i < texts.size(); i++) {
            System.arraycopy(e.embed(texts.get(i)).vector(), 0, flat, i * e.dimension(), e.dimension());
            progress.step(++done[0], "");
        }
        return new FloatTensor(flat, new long[] {texts.size(), e.dimension()});
    }

    /** Rows of one tensor ({@code train.<task>} or {@code eval.<task>}). */
    public static float[][] read(Path file, String key) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            if (!f.contains(key)) {
                throw new T2lException(file + ": no tensor '" + key + "' (rebuild the miniature's embeddings)");
            }
            FloatTensor t = f.read(key);
            int n = (int) t.shape()[0];
            int d = (int) t.shape()[1];
            float[][] rows = new float[n][d];
            for (int i = 0; i < n; i++) {
                System.arraycopy(t.data(), i * d, rows[i], 0, d);
            }
            return rows;
        }
    }
}
