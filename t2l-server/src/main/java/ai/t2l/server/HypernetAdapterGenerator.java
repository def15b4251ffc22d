package ai.t2l.server;

import ai.t2l.embed.TaskEmbedder;
import ai.t2l.embed.TaskEmbedding;
import ai.t2l.hypernet.HypernetCheckpoint;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraWeights;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The real {@link AdapterGenerator}: embeds the description ({@link TaskEmbedder}) and runs the hypernetwork once.
 * Calls are serialised: one hypernetwork forward is milliseconds, and neither the hypernetwork's manager nor the
 * encoder is shared across threads. The caller owns the checkpoint and the embedder.
 */
public final class HypernetAdapterGenerator implements AdapterGenerator {
    private final HypernetCheckpoint checkpoint;
    private final TaskEmbedder embedder;
    private final String baseModelName;
    private final String peftBaseModel;
    private final String checkpointId;

    public HypernetAdapterGenerator(HypernetCheckpoint checkpoint, TaskEmbedder embedder, String baseModelName) {
        this(checkpoint, embedder, baseModelName, null);
    }

    /** @param peftBaseModel what written PEFT folders record as their base (a hub id or absolute path), or null */
    public HypernetAdapterGenerator(HypernetCheckpoint checkpoint, TaskEmbedder embedder, String baseModelName,
            String peftBaseModel) {
        ai.t2l.hypernet.OneHotTasks.refuseText(checkpoint.config(), checkpoint.source()); // serving reads text
        int want = checkpoint.config().taskEmbDim();
        if (embedder.dimension() != want) {
            throw new T2lException(checkpoint.source() + ": the hypernetwork expects " + want + "-d task embeddings but "
                    + "the encoder " + embedder.name() + " gives " + embedder.dimension());
        }
        this.checkpoint = checkpoint;
        this.embedder = embedder;
        this.baseModelName = baseModelName;
        this.peftBaseModel = peftBaseModel == null ? baseModelName : peftBaseModel;
        this.checkpointId = contentId(checkpoint.source(), embedder.name());
    }

    @Override
    public String checkpointId() {
        return checkpointId;
    }

    @Override
    public String baseModelName() {
        return baseModelName;
    }

    @Override
    public String peftBaseModel() {
        return peftBaseModel;
    }

    @Override
    public synchronized LoraWeights generate(String description) {
        TaskEmbedding e;
        try {
            e = embedder.embed(description);
        } catch (T2lException bad) {
            throw new IllegalArgumentException(bad.getMessage(), bad); // e.g. nothing left after text handling
        }
        return checkpoint.hypernet().generate(e.vector());
    }

    /**
     * Folder name + a digest of every file in the checkpoint folder and of the encoder's name: adapters persisted
     * from another checkpoint (or a retrained one, or another encoder) never match.
     */
    static String contentId(Path folder, String encoderName) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(encoderName.getBytes(StandardCharsets.UTF_8));
            List<Path> files;
            try (Stream<Path> s = Files.list(folder)) {
                files = s.filter(Files::isRegularFile).sorted().toList();
            }
            byte[] buf = new byte[1 << 16];
            for (Path f : files) {
                sha.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                try (InputStream in = Files.newInputStream(f)) {
                    for (int n; (n = in.read(buf)) > 0; ) {
                        sha.update(buf, 0, n);
                    }
                }
            }
            String name = folder.toAbsolutePath().normalize().getFileName().toString();
            return name + "@" + HexFormat.of().formatHex(sha.digest(), 0, 6);
        } catch (IOException e) {
            throw new T2lException(folder + ": cannot read the T2L checkpoint to identify it: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
