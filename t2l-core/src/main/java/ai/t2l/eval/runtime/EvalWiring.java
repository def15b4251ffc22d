package ai.t2l.eval.runtime;

import ai.t2l.eval.EvalRuntime;

/**
 * Plugs the runtime into evaluation ({@link EvalRuntime}): models open as {@link RuntimeCompletionModel}, T2L
 * checkpoints as {@link HypernetAdapterGenerator} with the checkpoint's own encoder. Call once at start-up.
 */
public final class EvalWiring {
    /** Prompts per generation batch unless the user sets --batch-size: memory for the KV cache is small at this size. */
    public static final int DEFAULT_BATCH = 8;

    private EvalWiring() {}

    public static void register(RuntimeCompletionModel.AdapterMode mode) {
        EvalRuntime.registerModels((model, adapter) -> RuntimeCompletionModel.open(model, adapter, mode, DEFAULT_BATCH));
        EvalRuntime.registerGenerators((t2l, model) -> HypernetAdapterGenerator.open(t2l, model, null));
    }

    public static void register() {
        register(RuntimeCompletionModel.AdapterMode.UNMERGED);
    }
}
