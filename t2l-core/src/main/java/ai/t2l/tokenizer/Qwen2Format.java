package ai.t2l.tokenizer;

import java.util.List;

/**
 * ChatML as in Qwen/Qwen2-7B-Instruct's tokenizer_config.json chat_template (the reference has no Qwen template, so
 * this is the family's own default): when the first message is not a system message, a default system turn
 * "You are a helpful assistant." comes first; each message is {@code <|im_start|>role\ncontent<|im_end|>\n},
 * content untrimmed; no bos. An empty conversation renders as just the generation prompt, as the template does.
 */
final class Qwen2Format implements ChatFormat {
    static final Qwen2Format INSTANCE = new Qwen2Format();
    static final String IM_END = "<|im_end|>";
    static final String DEFAULT_SYSTEM = "You are a helpful assistant.";

    @Override
    public String name() {
        return "qwen2";
    }

    @Override
    public String templateName() {
        return "Qwen/Qwen2-7B-Instruct";
    }

    @Override
    public String bosToken() {
        return null;
    }

    @Override
    public String endOfTurn() {
        return IM_END;
    }

    @Override
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        StringBuilder out = new StringBuilder();
        if (!messages.isEmpty() && !messages.get(0).role().equals("system")) {
            turn(out, "system", DEFAULT_SYSTEM);
        }
        for (ChatMessage m : messages) {
            turn(out, m.role(), m.content());
        }
        if (addGenerationPrompt) {
            out.append("<|im_start|>assistant\n");
        }
        return out.toString();
    }

    private static void turn(StringBuilder out, String role, String content) {
        out.append("<|im_start|>").append(role).append('\n').append(content).append(IM_END).append('\n');
    }
}
