package ai.t2l.miniature;

import ai.t2l.tokenizer.ChatMessage;
import ai.t2l.tokenizer.MiniFormat;
import java.util.List;

/**
 * The miniature's chat format as used by the world code: a thin view of the {@link MiniFormat} chat format ("mini"),
 * so the world, the trainers and the runtime render prompts through one implementation.
 *
 * <pre>
 * &lt;s&gt;&lt;|user|&gt;abcde&lt;|end|&gt;&lt;|assistant|&gt;edcba&lt;|end|&gt;
 * </pre>
 *
 * As in the reference (T2L-SPEC §7.4) the prompt and the response are rendered separately and simply concatenate:
 * {@code render(u, false) + renderAssistant(a)} equals {@code render(u, true) + a + END}. Generation stops at
 * {@link #END} (or {@link MiniTokenizer#EOS}).
 */
public final class MiniChatFormat {
    public static final String BOS = MiniFormat.BOS;
    public static final String USER = MiniFormat.USER;
    public static final String ASSISTANT = MiniFormat.ASSISTANT;
    public static final String END = MiniFormat.END;
    static final String JINJA = MiniFormat.JINJA;

    public String render(String userText, boolean addGenerationPrompt) {
        return MiniFormat.INSTANCE.render(List.of(ChatMessage.user(userText)), addGenerationPrompt);
    }

    public String renderAssistant(String text) {
        return MiniFormat.INSTANCE.render(List.of(ChatMessage.assistant(text)), false);
    }
}
