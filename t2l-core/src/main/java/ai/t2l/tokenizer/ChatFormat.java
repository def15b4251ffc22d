package ai.t2l.tokenizer;

import ai.t2l.io.T2lException;
import ai.t2l.model.Family;
import ai.t2l.io.Json;
import ai.t2l.model.ModelConfig;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Renders a conversation to the exact prompt string a model family's chat template renders. Each implementation
 * reproduces one template (see {@link #templateName()}) as the reference processes it (spec §7.5: every 4-space
 * run and newline deleted from the source, jinja2 with trim_blocks/lstrip_blocks), tested against
 * fixtures/golden/chat. Where the template raises, {@link #render} throws a {@link T2lException} with its message.
 */
public interface ChatFormat {
    /** Short name used on the command line: mistral, llama3, gemma2, qwen2, mini. */
    String name();

    /** The Hugging Face repository whose chat template this reproduces. */
    String templateName();

    /** The bos text the template writes (null when the family has none). */
    String bosToken();

    /** The text that ends an assistant turn: generation stops when the model emits it. */
    String endOfTurn();

    String render(List<ChatMessage> messages, boolean addGenerationPrompt);

    /**
     * The conversation in the format the reference trains and evaluates on: its prompts always begin with a system
     * turn, empty by default ({@code [system '', user]}, spec §7.4, §8.1), and the Llama 3.1, Mistral and Gemma 2
     * templates write bos only in front of a system message. A conversation from a client (OpenAI API, {@code t2l
     * run --chat}) that has no system message gets the empty one here, so its prompt starts with bos exactly as at
     * training time (issue 12 item 12). A conversation that has a system message is rendered as given, and so is
     * one for a format that refuses a system turn altogether (its training examples cannot have had one either).
     */
    default String renderAsTrained(List<ChatMessage> messages, boolean addGenerationPrompt) {
        List<ChatMessage> trained = withSystemTurn(messages);
        if (trained == messages) {
            return render(messages, addGenerationPrompt);
        }
        try {
            return render(trained, addGenerationPrompt);
        } catch (T2lException noSystemTurn) {
            return render(messages, addGenerationPrompt);
        }
    }

    /** {@code messages} with an empty system message in front unless the first message is a system message. */
    static List<ChatMessage> withSystemTurn(List<ChatMessage> messages) {
        if (!messages.isEmpty() && messages.get(0).role().equals("system")) {
            return messages;
        }
        List<ChatMessage> out = new java.util.ArrayList<>(messages.size() + 1);
        out.add(ChatMessage.system(""));
        out.addAll(messages);
        return List.copyOf(out);
    }

    List<String> NAMES = List.of("mistral", "llama3", "gemma2", "qwen2", "mini");

    /**
     * Field of a model folder's tokenizer_config.json naming its format explicitly (one of {@link #NAMES}); it wins
     * over the family default. Our miniature writes "mini"; real models need not have it.
     */
    String CONFIG_FIELD = "t2l_chat_format";

    static ChatFormat byName(String name) {
        return switch (name) {
            case "mistral" -> MistralFormat.INSTANCE;
            case "llama3" -> Llama3Format.INSTANCE;
            case "gemma2" -> Gemma2Format.INSTANCE;
            case "qwen2" -> Qwen2Format.INSTANCE;
            case "mini" -> MiniFormat.INSTANCE;
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

    /**
     * The format of a model folder: tokenizer_config.json's {@value #CONFIG_FIELD} when present, else the family's
     * (config.json model_type).
     */
    static ChatFormat forModel(Path modelDir) {
        Path tc = modelDir.resolve("tokenizer_config.json");
        if (Files.exists(tc)) {
            JsonNode n = Json.read(tc).get(CONFIG_FIELD);
            if (n != null) {
                if (!n.isTextual()) {
                    throw new T2lException(tc + ": field " + CONFIG_FIELD + " must be a string, one of " + NAMES);
                }
                try {
                    return byName(n.asText());
                } catch (T2lException e) {
                    throw new T2lException(tc + ": field " + CONFIG_FIELD + ": " + e.getMessage(), e);
                }
            }
        }
        return forFamily(ModelConfig.read(modelDir).family());
    }
}
