package ai.t2l.miniature;

/**
 * One example of a task.
 *
 * @param input    the input word
 * @param prompt   the user turn's text (the bare word: our fixed user format; chat markup comes from {@link MiniChatFormat})
 * @param response the exact expected answer
 */
public record Example(String input, String prompt, String response) {
    static Example of(Task task, String input) {
        return new Example(input, input, task.answer(input));
    }
}
