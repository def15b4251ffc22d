package ai.t2l.tokenizer;

import ai.t2l.io.T2lException;
import java.util.List;

/**
 * mistralai/Mistral-7B-Instruct-v0.2's template as the reference loads it. An optional leading system message is
 * glued to the first user turn ({@code " [INST] " + system + "\n\n" + user + " [/INST]"}); content is not trimmed;
 * assistant turns are {@code " " + content + "</s>"}; add_generation_prompt is ignored (the template never reads
 * it); any other role, or a system message after the first, raises.
 */
final class MistralFormat implements ChatFormat {
    static final MistralFormat INSTANCE = new MistralFormat();
    static final String BOS = "<s>";
    static final String EOS = "</s>";
    // raise_exception(...) text in the template, copied verbatim (golden case h_system_not_first)
    static final String ROLE_ERROR =
            "Only user and assistant roles are supported, with the exception of an initial optional system message!";

    @Override
    public String name() {
        return "mistral";
    }

    @Override
    public String templateName() {
        return "mistralai/Mistral-7B-Instruct-v0.2";
    }

    @Override
    public String bosToken() {
        return BOS;
    }

    @Override
    public String endOfTurn() {
        return EOS;
    }

    @Override
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        if (messages.isEmpty()) {
            throw new T2lException("mistral chat format: the conversation has no messages");
        }
        StringBuilder out = new StringBuilder();
        String system = null;
        int first = 0;
        if (messages.get(0).role().equals("system")) {
            out.append(BOS);
            system = messages.get(0).content();
            first = 1;
        }
        for (int i = first; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            switch (m.role()) {
                case "user" -> {
                    // loop.first is the first message after the system one, whatever its role
                    if (i == first && system != null) {
                        out.append(" [INST] ").append(system).append("\n\n").append(m.content()).append(" [/INST]");
                    } else {
                        out.append(" [INST] ").append(m.content()).append(" [/INST]");
                    }
                }
                case "assistant" -> out.append(' ').append(m.content()).append(EOS);
                default -> throw new T2lException("mistral chat format: message " + i + " has role '" + m.role()
                        + "': " + ROLE_ERROR);
            }
        }
        return out.toString();
    }
}
