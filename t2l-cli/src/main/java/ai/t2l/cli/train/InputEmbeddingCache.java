package ai.t2l.cli.train;

import ai.t2l.embed.TaskEmbedder;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.SafetensorsFile;
import ai.t2l.io.SafetensorsWriter;
import ai.t2l.io.T2lException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The Hyperdecoders' example-input embeddings of one task, cached on disk as the reference caches them
 * ({@code data/embs/<sha256>.pt}, hm/data.py {@code get_inp_prompt_emb}): a resumed or repeated run embeds every
 * example of every task again otherwise (the paper's run: 479 tasks of up to 10,000 examples). The key is the sha256
 * of the encoder's name and width and the texts; the file, {@code inputs-<key>.safetensors} in {@code cache_dir},
 * holds one tensor {@code embeddings} [rows, dim] and is written atomically. A cache file that does not fit is
 * ignored and rewritten.
 */
final class InputEmbeddingCache {
    private static final int VERSION = 1;
    private static final String TENSOR = "embeddings";

    private InputEmbeddingCache() {}

    /** {@code dir} null: no cache. {@code embed} computes the rows when the cache has none. */
    static float[][] get(Path dir, TaskEmbedder e, List<String> texts, java.util.function.Supplier<float[][]> embed) {
        if (dir == null) {
            return embed.get();
        }
        Path file = dir.resolve("inputs-" + key(e, texts) + ".safetensors");
        if (Files.isRegularFile(file)) {
            float[][] cached = read(file, texts.size(), e.dimension());
            if (cached != null) {
                return cached;
            }
        }
        float[][] rows = embed.get();
        float[] flat = new float[rows.length * e.dimension()];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * e.dimension(), e.dimension());
        }
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException x) {
            throw new T2lException(dir + ": cannot create the cache folder (setting cache_dir): " + x.getMessage(), x);
        }
        SafetensorsWriter.write(file, Map.of(TENSOR, new FloatTensor(flat, new long[] {rows.length, e.dimension()})),
                Map.of("encoder", e.name()));
        return rows;
    }

    /** Null when the file is not the expected [rows, dim] table (then it is recomputed and replaced). */
    private static float[][] read(Path file, int rows, int dim) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            FloatTensor t = f.read(TENSOR);
            if (t.shape().length != 2 || t.shape()[0] != rows || t.shape()[1] != dim) {
                return null;
            }
            float[][] out = new float[rows][dim];
            for (int i = 0; i < rows; i++) {
                System.arraycopy(t.data(), i * dim, out[i], 0, dim);
            }
            return out;
        } catch (T2lException x) {
            return null;
        }
    }

    static String key(TaskEmbedder e, List<String> texts) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(("t2l-input-embeddings v" + VERSION + "\0" + e.name() + "\0" + e.dimension() + "\0")
                    .getBytes(StandardCharsets.UTF_8));
            for (String t : texts) {
                byte[] b = t.getBytes(StandardCharsets.UTF_8);
                d.update(java.nio.ByteBuffer.allocate(4).putInt(b.length).array());
                d.update(b);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException x) {
            throw new IllegalStateException(x);
        }
    }
}
