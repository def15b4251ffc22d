package ai.t2l.eval;

import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraScale;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The hook through which the model runtime and the hypernetwork plug into evaluation. This package cannot
 * depend on them (layering, DESIGN.md §3), so the runtime registers its factories at start-up, e.g. in the
 * CLI's main: {@code EvalRuntime.registerModels((model, adapter) -> ...)}.
 */
public final class EvalRuntime {
    /** Opens a base model folder, optionally with one PEFT adapter folder applied to every prompt. */
    @FunctionalInterface
    public interface ModelFactory {
        CompletionModel open(Path modelDir, Optional<Path> adapterDir);

        /** With an adapter scale other than the adapter's own; factories that cannot rescale refuse it. */
        default CompletionModel open(Path modelDir, Optional<Path> adapterDir, LoraScale scale) {
            if (scale != LoraScale.ADAPTER && adapterDir.isPresent()) {
                throw new T2lException("this model runtime cannot apply LoRA scale " + scale.id() + " to "
                        + adapterDir.get());
            }
            return open(modelDir, adapterDir);
        }
    }

    /** Opens a T2L checkpoint folder for the given base model. */
    @FunctionalInterface
    public interface GeneratorFactory {
        AdapterGenerator open(Path t2lDir, Path modelDir);

        /**
         * How the checkpoint is conditioned, read without loading it (it picks the protocol of
         * {@code --t2l-protocol auto}); factories that cannot tell say description-conditioned.
         */
        default ai.t2l.eval.t2l.T2lMode.Checkpoint describe(Path t2lDir, Path modelDir) {
            return ai.t2l.eval.t2l.T2lMode.Checkpoint.DESCRIPTION_CONDITIONED;
        }
    }

    private static volatile ModelFactory models;
    private static volatile GeneratorFactory generators;

    private EvalRuntime() {}

    public static void registerModels(ModelFactory factory) {
        models = factory;
    }

    public static void registerGenerators(GeneratorFactory factory) {
        generators = factory;
    }

    public static CompletionModel openModel(Path modelDir, Optional<Path> adapterDir) {
        return openModel(modelDir, adapterDir, LoraScale.ADAPTER);
    }

    public static CompletionModel openModel(Path modelDir, Optional<Path> adapterDir, LoraScale scale) {
        ModelFactory f = models;
        if (f == null) {
            throw new T2lException("model runtime not available: no CompletionModel factory is registered "
                    + "(EvalRuntime.registerModels); cannot open " + modelDir);
        }
        return f.open(modelDir, adapterDir, scale);
    }

    /**
     * How the checkpoint is conditioned. Without a registered runtime nothing can be generated, only cached results
     * re-read, and the checkpoint cannot be looked into: description-conditioned, the protocol of such runs.
     */
    public static ai.t2l.eval.t2l.T2lMode.Checkpoint describeCheckpoint(Path t2lDir, Path modelDir) {
        GeneratorFactory f = generators;
        return f == null ? ai.t2l.eval.t2l.T2lMode.Checkpoint.DESCRIPTION_CONDITIONED : f.describe(t2lDir, modelDir);
    }

    public static AdapterGenerator openGenerator(Path t2lDir, Path modelDir) {
        GeneratorFactory f = generators;
        if (f == null) {
            throw new T2lException("T2L hypernetwork not available: no AdapterGenerator factory is registered "
                    + "(EvalRuntime.registerGenerators); cannot open " + t2lDir);
        }
        return f.open(t2lDir, modelDir);
    }
}
