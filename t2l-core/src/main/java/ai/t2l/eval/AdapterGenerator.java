package ai.t2l.eval;

import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraScale;
import java.nio.file.Path;

/** Turns a task description into a PEFT adapter folder (the T2L hypernetwork, spec §8.3). */
public interface AdapterGenerator extends AutoCloseable {
    /** Writes the adapter for {@code description} into {@code adapterDir} (created) and returns it. */
    Path generate(String description, Path adapterDir);

    /**
     * Writes the adapter for a raw hypernetwork input (a one-hot task id or a mixture of them, spec §9), described
     * by {@code input} in the adapter's metadata. Generators of description-conditioned checkpoints refuse it.
     */
    default Path generate(float[] taskInput, String input, Path adapterDir) {
        throw new T2lException("this T2L checkpoint reads descriptions, not one-hot task ids (" + input + ")");
    }

    /**
     * A model that answers each prompt with its own adapter, generated from the prompt's user message (the
     * Hyperdecoders protocol, spec §9), over the base model in {@code modelDir}; adapters scaled by {@code scale}.
     */
    default CompletionModel perPromptModel(Path modelDir, LoraScale scale) {
        throw new T2lException("this adapter generator cannot generate one adapter per prompt");
    }

    @Override
    default void close() {}
}
