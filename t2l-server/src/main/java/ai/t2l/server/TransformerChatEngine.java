package ai.t2l.server;

import ai.t2l.generate.BatchingDecoder;
import ai.t2l.generate.Sampler;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraWeights;
import ai.t2l.model.AdapterCheck;
import ai.t2l.model.ModelConfig;
import ai.t2l.tokenizer.ChatFormat;
import ai.t2l.tokenizer.ChatMessage;
import ai.t2l.tokenizer.Tokenizer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The real {@link ChatEngine}: renders the conversation with the model's {@link ChatFormat}, tokenizes it, and
 * decodes through a {@link BatchingDecoder}, so concurrent requests (each with its own adapter or none) share
 * forward passes. The caller owns the model, tokenizer and decoder and closes them after the server stops.
 */
public final class TransformerChatEngine implements ChatEngine {
    private final BatchingDecoder decoder;
    private final Tokenizer tokenizer;
    private final ChatFormat format;
    private final ModelConfig config;
    private final Set<Integer> endIds;

    public TransformerChatEngine(BatchingDecoder decoder, Tokenizer tokenizer, ChatFormat format, ModelConfig config) {
        this.decoder = decoder;
        this.tokenizer = tokenizer;
        this.format = format;
        this.config = config;
        // A turn ends at the format's end-of-turn token (e.g. <|eot_id|>) or at any end-of-sequence id.
        Set<Integer> ends = new HashSet<>(tokenizer.eosIds());
        ends.addAll(config.eosTokenIds());
        tokenizer.tokenId(format.endOfTurn()).ifPresent(ends::add);
        if (ends.isEmpty()) {
            throw new T2lException(tokenizer.file() + ": no end-of-sequence token and no '" + format.endOfTurn()
                    + "' token: generation could never end a turn");
        }
        this.endIds = Set.copyOf(ends);
    }

    @Override
    public void checkAdapter(LoraWeights adapter, String source) {
        AdapterCheck.check(config, adapter, source);
    }

    /** How much batching the decoder has done so far (for load tests and benchmarks). */
    public BatchingDecoder.Stats decoderStats() {
        return decoder.stats();
    }

    @Override
    public Result chat(List<Message> messages, LoraWeights adapter, Options options, TokenSink sink) {
        String prompt;
        try {
            // the training-time format: an empty system turn unless the client sent one (its bos, issue 12 item 12)
            prompt = format.renderAsTrained(messages.stream().map(m -> new ChatMessage(m.role(), m.content())).toList(),
                    true);
        } catch (T2lException e) {
            throw new IllegalArgumentException("the " + format.name() + " chat format refuses these messages: "
                    + e.getMessage(), e);
        }
        // The format writes the bos text itself, so the tokenizer must not add specials again.
        return generate(tokenizer.encode(prompt, false), adapter, options, sink);
    }

    @Override
    public Result complete(String prompt, LoraWeights adapter, Options options, TokenSink sink) {
        if (prompt.isEmpty()) {
            throw new IllegalArgumentException("the prompt is empty");
        }
        return generate(tokenizer.encode(prompt, true), adapter, options, sink);
    }

    private Result generate(int[] ids, LoraWeights adapter, Options options, TokenSink sink) {
        if (ids.length == 0) {
            throw new IllegalArgumentException("the prompt encodes to no tokens");
        }
        if (adapter != null) {
            AdapterCheck.check(config, adapter, "adapter");
        }
        Sampler sampler = options.temperature() == 0 ? Sampler.GREEDY
                : Sampler.temperature(options.temperature(), options.topP());
        long seed = options.seed() != null ? options.seed() : ThreadLocalRandom.current().nextLong();
        BatchingDecoder.Outcome out = decoder.run(
                new BatchingDecoder.Request(ids, adapter, sampler, seed, options.maxTokens(), endIds), sink::onToken);
        FinishReason reason = switch (out.finish()) {
            case EOS -> FinishReason.STOP;
            case MAX_TOKENS -> FinishReason.LENGTH;
            case CANCELLED -> FinishReason.CANCELLED;
        };
        return new Result(out.text(), reason, ids.length, out.tokens());
    }
}
