package ai.t2l.generate;

/** Receives each generated token as soon as it is chosen (streaming); {@code row} is the prompt's index. */
@FunctionalInterface
public interface TokenListener {
    void onToken(int row, int token);

    TokenListener NONE = (row, token) -> {};
}
