package ai.t2l.tokenizer;

import ai.t2l.io.T2lException;
import java.util.List;

/**
 * google/gemma-2-2b-it's template as the reference loads it. {@code <bos>} only when the first message is a system
 * message; then every message, the system one included, is {@code <start_of_turn>role\n} + trimmed content +
 * {@code <end_of_turn>\n}, with role assistant written as "model". QUIRK (spec §7.5): the template's loop runs over
 * all messages, so its "merge the system message into the first user turn" branch never fires (loop.first is the
 * system message) and the system message becomes its own "system" turn.
 */
final class Gemma2Format implements ChatFormat {
    static final Gemma2Format INSTANCE = new Gemma2Format();
    static final String BOS = "<bos>";
    static final String END_OF_TURN = "<end_of_turn>";

    @Override
    public String name() {
        return "gemma2";
    }

    @Override
    public String templateName() {
        return "google/gemma-2-2b-it";
    }

    @Override
    public String bosToken() {
        return BOS;
    }

    @Override
    public String endOfTurn() {
        return END_OF_TURN;
    }

    @Override
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        if (messages.isEmpty()) {
            throw new T2lException("gemma2 chat format: the conversation has no messages");
        }
        StringBuilder out = new StringBuilder();
        if (messages.get(0).role().equals("system")) {
            out.append(BOS);
        }
        for (ChatMessage m : messages) {
            String role = m.role().equals("assistant") ? "model" : m.role();
            out.append("<start_of_turn>").append(role).append('\n').append(PyStrings.strip(m.content()))
                    .append(END_OF_TURN).append('\n');
        }
        if (addGenerationPrompt) {
            out.append("<start_of_turn>model\n");
        }
        return out.toString();
    }
}
