package ai.t2l.eval.t2l;

/**
 * One adapter of a T2L evaluation plan, whatever conditions it (descriptions or one-hot ids): where the reference
 * puts it ({@code generated_loras/<task>/<split>/lora_i}) and the cache key of its condition.
 */
public interface PlannedLora {
    String split();

    int index();

    /** Cache and folder key of the condition this adapter answers. */
    String key();
}
