package ai.t2l.server;

import ai.t2l.lora.LoraWeights;
import java.util.List;
import java.util.Objects;

/**
 * Streams text from the base model, optionally adapted by a LoRA, for /v1/chat/completions and /v1/completions.
 *
 * <p>Concurrency: the server calls the engine from several request threads at once (up to its configured number of
 * concurrent completions), each call with its own adapter or none. Implementations must be thread-safe and must keep
 * each call's adapter to that call (batch rows with their own adapter, or per-call state), never swap an adapter into
 * shared model weights.
 *
 * <p>Errors: throw {@link IllegalArgumentException} for a request the model cannot serve, e.g. a prompt longer than
 * its context (reported as 400 with the message); any other exception is a 500.
 */
public interface ChatEngine {
    /** Formats {@code messages} with the model's chat format (generation prompt added) and continues it. */
    Result chat(List<Message> messages, LoraWeights adapter, Options options, TokenSink sink);

    /** Continues the raw {@code prompt} text, without any chat format. */
    Result complete(String prompt, LoraWeights adapter, Options options, TokenSink sink);

    /**
     * Refuses (T2lException or IllegalArgumentException, naming {@code source}) an adapter whose layers, modules or
     * shapes do not fit the model; called when an existing adapter is loaded by name, before any request uses it.
     */
    default void checkAdapter(LoraWeights adapter, String source) {}

    /** One chat turn; roles are "system", "user" or "assistant". */
    record Message(String role, String content) {
        public Message {
            Objects.requireNonNull(role);
            Objects.requireNonNull(content);
        }
    }

    /**
     * Sampling settings. {@code temperature} 0 means greedy; {@code seed} null means unseeded. Stop strings are
     * also enforced by the server on the streamed text (it holds back a possible partial match and cancels through
     * the sink), so an engine may ignore {@code stop}; if it honours it, it must not emit the stop string.
     */
    record Options(int maxTokens, double temperature, double topP, Long seed, List<String> stop) {
        public Options {
            if (maxTokens <= 0) {
                throw new IllegalArgumentException("maxTokens must be positive, got " + maxTokens);
            }
            stop = List.copyOf(stop);
        }
    }

    /**
     * Receives the text of each new token (already detokenised; may be empty for a partial UTF-8 sequence). Returning
     * false means "stop now": the client went away or a stop string matched. The engine must then stop generating
     * promptly and return with {@link FinishReason#CANCELLED}.
     */
    @FunctionalInterface
    interface TokenSink {
        boolean onToken(String text);
    }

    enum FinishReason {
        /** The model ended its turn (end-of-sequence token) or a stop string matched. */
        STOP,
        /** {@code maxTokens} were generated. */
        LENGTH,
        /** The sink returned false. */
        CANCELLED
    }

    /** What was generated: the full text as streamed, why it ended, and token counts for usage reporting. */
    record Result(String text, FinishReason finishReason, int promptTokens, int completionTokens) {
        public Result {
            Objects.requireNonNull(text);
            Objects.requireNonNull(finishReason);
        }
    }
}
