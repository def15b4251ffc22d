package ai.t2l.eval;

/**
 * What the model is asked: the user message (the chat template wraps it with an empty system message,
 * spec §8.1) and the text the assistant turn starts with (the prefill, generated after).
 */
public record ChatPrompt(String user, String prefill) {
    public ChatPrompt {
        if (user == null || prefill == null) {
            throw new IllegalArgumentException("user and prefill must not be null");
        }
    }
}
