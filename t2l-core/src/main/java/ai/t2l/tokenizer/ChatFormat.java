package ai.t2l.tokenizer;

import ai.t2l.io.T2lException;
import ai.t2l.model.Family;
import java.util.List;

/**
 * Renders a conversation to the exact prompt string a model family's chat template renders. Each implementation
 * reproduces one template (see {@link #templateName()}) as the reference processes it (spec §7.5: every 4-space
 * run and newline deleted from the source, jinja2 with trim_blocks/lstrip_blocks), tested against
 * fixtures/golden/chat. Where the template raises, {@link #render} throws a {@link T2lException} with its message.
 */
public interface ChatFormat {
    /** Short name used on the command line: mistral, llama3, gemma2, qwen2. */
    String name();

    /** The Hugging Face repository whose chat template this reproduces. */
    String templateName();

    /** The bos text the template writes (null when the family has none). */
    String bosToken();

    /** The text that ends an assistant turn: generation stops when the model emits it. */
    String endOfTurn();

    String render(List<ChatMessage> messages, boolean addGenerationPrompt);

    List<String> NAMES = List.of("mistral", "llama3", "gemma2", "qwen2");

    static ChatFormat byName(String name) {
        return switch (name) {
            case "mistral" -> MistralFormat.INSTANCE;
            case "llama3" -> Llama3Format.INSTANCE;
            case "gemma2" -> Gemma2Format.INSTANCE;
            case "qwen2" -> Qwen2Format.INSTANCE;
            default -> throw new T2lException("unknown chat format '" + name + "'; known: " + String.join(", ", NAMES));
        };
    }

    /**
     * The family's format. Family LLAMA maps to Llama 3.1's, the reference's; a Llama-2 model folder also reads as
     * family llama and would need its own format.
     */
    static ChatFormat forFamily(Family family) {
        return switch (family) {
            case MISTRAL -> MistralFormat.INSTANCE;
            case LLAMA -> Llama3Format.INSTANCE;
            case GEMMA2 -> Gemma2Format.INSTANCE;
            case QWEN2 -> Qwen2Format.INSTANCE;
        };
    }
}
