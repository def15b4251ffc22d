package ai.t2l.miniature;

/**
 * The miniature model's chat format: no system turn, one marker per role, one end marker per turn.
 *
 * <pre>
 * &lt;s&gt;&lt;|user|&gt;abcde&lt;|end|&gt;&lt;|assistant|&gt;edcba&lt;|end|&gt;
 * </pre>
 *
 * As in the reference (T2L-SPEC §7.4) the prompt and the response are rendered separately and simply concatenate:
 * {@code render(u, false) + renderAssistant(a)} equals {@code render(u, true) + a + END}. Generation stops at
 * {@link #END} (or {@link MiniTokenizer#EOS}). The same format is written as a Jinja chat_template into
 * tokenizer_config.json for Python users.
 */
public final class MiniChatFormat {
    public static final String BOS = MiniTokenizer.BOS;
    public static final String USER = "<|user|>";
    public static final String ASSISTANT = "<|assistant|>";
    public static final String END = "<|end|>";

    static final String JINJA = "{% for message in messages %}"
            + "{% if loop.first and message['role'] == 'user' %}{{ bos_token }}{% endif %}"
            + "{% if message['role'] == 'user' %}" + USER + "{{ message['content'] }}" + END
            + "{% elif message['role'] == 'assistant' %}" + ASSISTANT + "{{ message['content'] }}" + END
            + "{% endif %}{% endfor %}"
            + "{% if add_generation_prompt %}" + ASSISTANT + "{% endif %}";

    public String render(String userText, boolean addGenerationPrompt) {
        return BOS + USER + userText + END + (addGenerationPrompt ? ASSISTANT : "");
    }

    public String renderAssistant(String text) {
        return ASSISTANT + text + END;
    }
}
