package ai.t2l.tokenizer;

import ai.t2l.io.T2lException;
import java.util.List;

/**
 * meta-llama/Llama-3.1-8B-Instruct's template as the reference loads it (tools = None, no custom or builtin tools,
 * so no "Cutting Knowledge Date" preamble and no tool blocks). A leading system message (trimmed) becomes
 * {@code <|begin_of_text|>} + a system turn; bos appears only then. Every other message is
 * {@code <|start_header_id|>role<|end_header_id|>\n\n} + trimmed content + {@code <|eot_id|>}, except roles
 * "tool" and "ipython": an "ipython" header and the content as JSON (a string is "iterable" to jinja2, so it goes
 * through transformers' tojson filter), untrimmed.
 */
final class Llama3Format implements ChatFormat {
    static final Llama3Format INSTANCE = new Llama3Format();
    static final String BOS = "<|begin_of_text|>";
    static final String EOT = "<|eot_id|>";

    @Override
    public String name() {
        return "llama3";
    }

    @Override
    public String templateName() {
        return "meta-llama/Llama-3.1-8B-Instruct";
    }

    @Override
    public String bosToken() {
        return BOS;
    }

    @Override
    public String endOfTurn() {
        return EOT;
    }

    @Override
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        if (messages.isEmpty()) {
            throw new T2lException("llama3 chat format: the conversation has no messages");
        }
        StringBuilder out = new StringBuilder();
        int first = 0;
        if (messages.get(0).role().equals("system")) {
            out.append(BOS).append(header("system")).append(PyStrings.strip(messages.get(0).content())).append(EOT);
            first = 1;
        }
        for (int i = first; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            if (m.role().equals("tool") || m.role().equals("ipython")) {
                out.append(header("ipython")).append(PyStrings.jsonDumps(m.content())).append(EOT);
            } else {
                out.append(header(m.role())).append(PyStrings.strip(m.content())).append(EOT);
            }
        }
        if (addGenerationPrompt) {
            out.append(header("assistant"));
        }
        return out.toString();
    }

    private static String header(String role) {
        return "<|start_header_id|>" + role + "<|end_header_id|>\n\n";
    }
}
