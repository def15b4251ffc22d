package ai.t2l.hypernet;

import ai.djl.ndarray.NDManager;
import ai.t2l.io.T2lException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A loaded T2L checkpoint: the hypernetwork, where it came from, and any warnings the loader had (e.g. unknown
 * args.yaml keys). Closing it frees the hypernetwork's native memory.
 *
 * @param baseModelDir the base model folder used for the dims, or null when the format did not need one
 */
public record HypernetCheckpoint(HyperModulator hypernet, Provenance provenance, Path source, Path baseModelDir,
        List<String> warnings) implements AutoCloseable {

    public HypernetCheckpoint {
        warnings = List.copyOf(warnings);
    }

    /** Loads our own folder ({@value T2lFolder#CONFIG}) or a reference folder ({@code hypermod.pt}). */
    public static HypernetCheckpoint load(Path dir, LoadOptions options, NDManager parent) {
        if (!Files.isDirectory(dir)) {
            throw new T2lException(dir + ": no such T2L checkpoint folder");
        }
        if (Files.exists(dir.resolve(T2lFolder.CONFIG))) {
            return T2lFolder.load(dir, parent);
        }
        if (Files.exists(dir.resolve(ReferenceCheckpoint.WEIGHTS))) {
            return ReferenceCheckpoint.load(dir, options, parent);
        }
        throw new T2lException(dir + ": not a T2L checkpoint folder (expected " + T2lFolder.CONFIG + " + "
                + T2lFolder.WEIGHTS + ", or the reference's " + ReferenceCheckpoint.WEIGHTS + " + args.yaml + "
                + "adapter_config.json)");
    }

    /**
     * The config of a checkpoint folder without loading its weights (our folder: t2l_config.json; a reference
     * folder: args.yaml and the tensor shapes), e.g. to choose an evaluation protocol before anything is generated.
     */
    public static HyperConfig readConfig(Path dir, LoadOptions options) {
        if (Files.exists(dir.resolve(T2lFolder.CONFIG))) {
            return T2lFolder.configFromJson(ai.t2l.io.Json.read(dir.resolve(T2lFolder.CONFIG)), dir.resolve(T2lFolder.CONFIG));
        }
        if (Files.exists(dir.resolve(ReferenceCheckpoint.WEIGHTS))) {
            return ReferenceCheckpoint.configFromShapes(dir, options);
        }
        throw new T2lException(dir + ": not a T2L checkpoint folder (expected " + T2lFolder.CONFIG + " or "
                + ReferenceCheckpoint.WEIGHTS + ")");
    }

    public HyperConfig config() {
        return hypernet.config();
    }

    @Override
    public void close() {
        hypernet.close();
    }
}
