package ai.t2l.tokenizer;

import ai.t2l.io.T2lException;
import java.util.List;

/**
 * The miniature model's chat format (name "mini", DESIGN §4): one marker per role, one end marker per turn, bos
 * before the first user turn, no system turn.
 *
 * <pre>
 * &lt;s&gt;&lt;|user|&gt;abcde&lt;|end|&gt;&lt;|assistant|&gt;edcba&lt;|end|&gt;
 * </pre>
 *
 * A system message is allowed only when empty (the reference's default system_message is ""), and then writes
 * nothing, so the prompt/response pair of spec §7.4 concatenates to the generation prompt plus the answer.
 */
public final class MiniFormat implements ChatFormat {
    public static final MiniFormat INSTANCE = new MiniFormat();
    public static final String BOS = "<s>";
    public static final String USER = "<|user|>";
    public static final String ASSISTANT = "<|assistant|>";
    public static final String END = "<|end|>";

    /** The same format as a Jinja template, written into tokenizer_config.json for Python users. */
    public static final String JINJA = "{% for message in messages %}"
            + "{% if message['role'] == 'system' and message['content'] != '' %}"
            + "{{ raise_exception('the mini format has no system turn') }}{% endif %}"
            + "{% if message['role'] == 'user' and (loop.first or (loop.index0 == 1 and messages[0]['role'] == 'system'))"
            + " %}{{ bos_token }}{% endif %}"
            + "{% if message['role'] == 'user' %}" + USER + "{{ message['content'] }}" + END
            + "{% elif message['role'] == 'assistant' %}" + ASSISTANT + "{{ message['content'] }}" + END
            + "{% endif %}{% endfor %}"
            + "{% if add_generation_prompt %}" + ASSISTANT + "{% endif %}";

    @Override
    public String name() {
        return "mini";
    }

    @Override
    public String templateName() {
        return "t2l miniature (tokenizer_config.json chat_template)";
    }

    @Override
    public String bosToken() {
        return BOS;
    }

    @Override
    public String endOfTurn() {
        return END;
    }

    @Override
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            switch (m.role()) {
                case "system" -> {
                    if (!m.content().isEmpty()) {
                        throw new T2lException("the mini format has no system turn (message " + i + ")");
                    }
                }
                case "user" -> {
                    boolean first = i == 0 || (i == 1 && messages.get(0).role().equals("system"));
                    out.append(first ? BOS : "").append(USER).append(m.content()).append(END);
                }
                case "assistant" -> out.append(ASSISTANT).append(m.content()).append(END);
                default -> throw new T2lException("the mini format knows the roles system (empty), user and assistant;"
                        + " message " + i + " has role '" + m.role() + "'");
            }
        }
        if (addGenerationPrompt) {
            out.append(ASSISTANT);
        }
        return out.toString();
    }
}
