package ai.t2l.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A deterministic stand-in for the model runtime: answers from a table keyed by user message + prefill,
 * "I do not know." otherwise; records every batch; can be told to fail after some batches (interruption).
 */
final class FakeModel implements CompletionModel {
    final Map<String, String> answers;
    final List<List<ChatPrompt>> batches = new ArrayList<>();
    final int failAfterBatches;
    final int batchSize;
    boolean closed;

    FakeModel(Map<String, String> answers, int batchSize, int failAfterBatches) {
        this.answers = answers;
        this.batchSize = batchSize;
        this.failAfterBatches = failAfterBatches;
    }

    static String key(ChatPrompt p) {
        return p.user() + "\u0000" + p.prefill();
    }

    @Override
    public List<String> complete(List<ChatPrompt> prompts, int maxNewTokens) {
        if (failAfterBatches >= 0 && batches.size() >= failAfterBatches) {
            throw new IllegalStateException("simulated crash after " + failAfterBatches + " batches");
        }
        batches.add(List.copyOf(prompts));
        List<String> out = new ArrayList<>();
        for (ChatPrompt p : prompts) {
            out.add(answers.getOrDefault(key(p), "I do not know."));
        }
        return out;
    }

    @Override
    public int preferredBatchSize() {
        return batchSize;
    }

    @Override
    public void close() {
        closed = true;
    }
}
