package ai.t2l.train.data;

/** One training pair: the user message content and the assistant's reply (prefill/postfill already applied). */
public record TaskExample(String prompt, String response) {
    public TaskExample {
        if (prompt == null || response == null) {
            throw new IllegalArgumentException("prompt and response must not be null");
        }
    }
}
