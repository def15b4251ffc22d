package ai.t2l.embed;

/**
 * Turns a task description into the hypernetwork's input (T2L-SPEC §3): text handling ({@link TaskText}), an
 * encoder's pooled output, then L2 normalisation × √dim. Implementations: {@link OnnxTaskEmbedder} (sentence
 * encoders such as the bundled bge-small or a user's gte-large ONNX export); the base LLM with last-token pooling
 * will implement this too once the runtime lands.
 */
public interface TaskEmbedder extends AutoCloseable {
    /** Human-readable encoder name, e.g. "bge-small-en-v1.5 (bundled, CLS)". */
    String name();

    /** Width of the embedding; must equal the hypernetwork's task-embedding size. */
    int dimension();

    /** Embeds one description; empty or whitespace-only text is a {@link ai.t2l.io.T2lException}. */
    TaskEmbedding embed(String description);

    @Override
    default void close() {}
}
