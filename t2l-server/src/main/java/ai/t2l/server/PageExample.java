package ai.t2l.server;

/**
 * An example the web page offers as a chip: a task description and a message that suits it, for the model being
 * served (a real LLM's examples give garbage on the miniature, whose tasks are letter games).
 *
 * @param label       what the chip says
 * @param description the task description it puts in the description field
 * @param prompt      the message it puts in the chat field (may be empty)
 */
public record PageExample(String label, String description, String prompt) {
    public PageExample {
        if (label == null || label.isBlank() || description == null || description.isBlank()) {
            throw new IllegalArgumentException("a page example needs a label and a description");
        }
        prompt = prompt == null ? "" : prompt;
    }
}
