package ai.t2l.train.data;

/**
 * Renders an example with the family's chat format and tokenises it as the pair (prompt, response) of spec §7.4:
 * the prompt is the system+user turns without a generation prompt, the response is the assistant turn rendered on
 * its own, so it includes the assistant header. Decision (issue 4): the header tokens count in the loss, as in the
 * reference; the model thereby also learns to open its own turn. The chat branch's CompletionExample builder
 * implements this; tests use a character-level fake.
 */
public interface ExampleEncoder {
    /** Identifies tokenizer + chat format + settings; part of the token cache key. */
    String fingerprint();

    /** Token ids of the rendered prompt and of the rendered response, untruncated, no special tokens added. */
    int[][] encodePair(TaskExample example);

    /** The id used to pad inputs (the reference falls back to eos). */
    int padId();
}
