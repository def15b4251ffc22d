package ai.t2l.server;

import ai.t2l.lora.LoraWeights;

/**
 * Turns a task description into a LoRA adapter (the hypernetwork behind the server). The server may call
 * {@link #generate} from several request threads at once, up to its configured number of concurrent generations;
 * an implementation that cannot run calls in parallel must serialise them itself.
 */
public interface AdapterGenerator {
    /**
     * Identifies the T2L checkpoint: part of every adapter id, so that adapters from another checkpoint are never
     * served from the cache or the persistence folder. Must not change while the server runs.
     */
    String checkpointId();

    /**
     * Generates the adapter for an already normalised description (trimmed, runs of whitespace collapsed to one
     * space). Throws {@link IllegalArgumentException} for a description it cannot use (reported as 400); any other
     * exception is reported as a 500.
     */
    LoraWeights generate(String description);

    /** The base model's name: what clients pass as {@code model} to talk to the unadapted model. */
    String baseModelName();

    /**
     * What the PEFT folders this server writes record as {@code base_model_name_or_path}: a hub id or an absolute
     * path that PEFT and vLLM can resolve (issue 11.4), not the API's name for the model. Defaults to that name for
     * generators that know no folder.
     */
    default String peftBaseModel() {
        return baseModelName();
    }
}
