package ai.t2l.eval;

import java.util.List;

/**
 * All evaluation needs from a model: greedy continuations of chat prompts.
 *
 * <p>For each prompt, the implementation renders {@code chat_template(system '', user, add_generation_prompt)
 * + prefill} (spec §8.1), decodes greedily for at most {@code maxNewTokens} tokens (stopping at end of turn),
 * and returns only the newly generated text, without the prefill. Results are in prompt order; a batch of
 * many must give the same texts as batches of one (the runner relies on it for determinism and resuming).
 */
public interface CompletionModel extends AutoCloseable {
    List<String> complete(List<ChatPrompt> prompts, int maxNewTokens);

    /** How many prompts the runner hands over at once; the runtime knows its memory best. */
    default int preferredBatchSize() {
        return 8;
    }

    @Override
    default void close() {}
}
