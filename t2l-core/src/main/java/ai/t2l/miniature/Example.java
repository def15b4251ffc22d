package ai.t2l.miniature;

/**
 * One example of a task.
 *
 * @param input    the input word
 * @param prompt   the user turn's text: the bare word, or for tasks that carry evidence in their input
 *                 ({@link Task#inputCue()}) the operation and format before it ("rotate left 2, in brackets:
 *                 abcdef"); chat markup comes from {@link MiniChatFormat}
 * @param response the exact expected answer
 */
public record Example(String input, String prompt, String response) {
    static Example of(Task task, String input) {
        return new Example(input, task.inputCue() + input, task.answer(input));
    }
}
