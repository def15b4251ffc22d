package ai.t2l.server;

import ai.t2l.lora.LoraConfig;
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

    /**
     * The model a request asked for as the server resolved it: the name the client sent, the adapter's id and
     * weights at full strength (both null for the base model, or for a name only an upstream knows), and the
     * request's lora_scale. Engines that serve adapters by name elsewhere ({@link UpstreamEngine}) need the id; the
     * in-process engines only {@link #weights()}.
     */
    record Target(String model, String adapterId, LoraWeights adapter, double scale) {
        public Target {
            if (adapter == null && scale != 1.0) {
                throw new IllegalArgumentException("a scale needs an adapter");
            }
        }

        static Target base(String model) {
            return new Target(model, null, null, 1.0);
        }

        /**
         * The adapter at the request's strength (lora_scale, like llama.cpp's per-request lora[].scale): the update
         * scaling·B·A is linear in alpha, so the tensors are shared and only alpha changes; 0 is the base model.
         */
        public LoraWeights weights() {
            if (adapter == null || scale == 1.0) {
                return adapter;
            }
            if (scale == 0.0) {
                return null;
            }
            LoraConfig c = adapter.config();
            return new LoraWeights(new LoraConfig(c.r(), c.alpha() * scale, c.useRslora(), c.dropout(),
                    c.targetModules()), adapter.pairs());
        }
    }

    /**
     * Called with the request's target before the response starts, so that its failures are answered with their
     * status, not in-band in a stream: an engine that must fetch or load something (an adapter onto an upstream)
     * does it here.
     */
    default void prepare(Target target) {}

    /** {@link #chat(List, LoraWeights, Options, TokenSink)} for a resolved target; the default uses its weights. */
    default Result chat(List<Message> messages, Target target, Options options, TokenSink sink) {
        return chat(messages, target.weights(), options, sink);
    }

    /** {@link #complete(String, LoraWeights, Options, TokenSink)} for a resolved target. */
    default Result complete(String prompt, Target target, Options options, TokenSink sink) {
        return complete(prompt, target.weights(), options, sink);
    }

    /**
     * True when a stream's headers should wait for the first token, so that a failure before it (an upstream that
     * cannot be reached) is answered with its status (502) instead of in-band; in-process engines start at once.
     */
    default boolean opensStreamLate() {
        return false;
    }

    /**
     * True when model names the server does not know are passed on (an upstream may serve them); false answers
     * them 404 here.
     */
    default boolean passesUnknownModels() {
        return false;
    }

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
