package ai.t2l.eval.runtime;

import ai.t2l.eval.CompletionModel;
import ai.t2l.eval.EvalRuntime;
import ai.t2l.eval.t2l.T2lMode;
import ai.t2l.lora.LoraScale;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Plugs the runtime into evaluation ({@link EvalRuntime}): models open as {@link RuntimeCompletionModel}, T2L
 * checkpoints as {@link HypernetAdapterGenerator} with the checkpoint's own encoder. Call once at start-up.
 */
public final class EvalWiring {
    /** Prompts per generation batch unless the user sets --batch-size: memory for the KV cache is small at this size. */
    public static final int DEFAULT_BATCH = 8;

    private EvalWiring() {}

    public static void register(RuntimeCompletionModel.AdapterMode mode) {
        EvalRuntime.registerModels(new EvalRuntime.ModelFactory() {
            @Override
            public CompletionModel open(Path model, Optional<Path> adapter) {
                return open(model, adapter, LoraScale.ADAPTER);
            }

            @Override
            public CompletionModel open(Path model, Optional<Path> adapter, LoraScale scale) {
                return RuntimeCompletionModel.open(model, adapter, mode, DEFAULT_BATCH, scale);
            }
        });
        EvalRuntime.registerGenerators(new EvalRuntime.GeneratorFactory() {
            @Override
            public ai.t2l.eval.AdapterGenerator open(Path t2l, Path model) {
                return HypernetAdapterGenerator.open(t2l, model, null);
            }

            @Override
            public T2lMode.Checkpoint describe(Path t2l, Path model) {
                return HypernetAdapterGenerator.describe(t2l, model);
            }
        });
    }

    public static void register() {
        register(RuntimeCompletionModel.AdapterMode.UNMERGED);
    }
}
