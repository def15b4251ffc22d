package ai.t2l.generate;

/**
 * One row's continuation.
 *
 * @param tokens     the new tokens (an EOS or the token completing a stop string included)
 * @param stopString the stop string found, or null
 */
public record Generation(int[] tokens, StopReason reason, String stopString) {}
