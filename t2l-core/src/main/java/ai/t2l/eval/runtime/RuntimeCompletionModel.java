package ai.t2l.eval.runtime;

import ai.t2l.eval.ChatPrompt;
import ai.t2l.eval.CompletionModel;
import ai.t2l.generate.ChatModel;
import ai.t2l.lora.LoraBatch;
import ai.t2l.lora.LoraScale;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import ai.t2l.model.AdapterCheck;
import ai.t2l.model.Transformer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link CompletionModel} over the runtime: each prompt rendered as spec §8.1, greedy decoding in left-padded batches
 * until the end of turn, the new text only. An adapter applies to every row, either unmerged (y = Wx + s·B(Ax), as
 * vLLM serves LoRAs) or merged into the weights for the model's lifetime (faster; equal up to float rounding).
 */
public final class RuntimeCompletionModel implements CompletionModel {
    public enum AdapterMode { UNMERGED, MERGED }

    private final ChatModel chat;
    private final boolean ownsChat;
    private final LoraBatch lora;
    private final Transformer.Merged merged;
    private final int batchSize;

    /**
     * @param adapter  null for the base model
     * @param ownsChat close {@code chat} with this model
     */
    public RuntimeCompletionModel(ChatModel chat, boolean ownsChat, LoraWeights adapter, String adapterSource,
            AdapterMode mode, int batchSize) {
        this.chat = chat;
        this.ownsChat = ownsChat;
        this.batchSize = batchSize;
        if (adapter != null) {
            AdapterCheck.check(chat.model().config(), adapter, adapterSource);
        }
        boolean merge = adapter != null && mode == AdapterMode.MERGED;
        this.merged = merge ? chat.model().merge(adapter, adapterSource) : null;
        this.lora = adapter != null && !merge ? LoraBatch.shared(chat.model().manager(), adapter) : null;
    }

    /** Opens a model folder and, optionally, a PEFT adapter folder; owns both. */
    public static RuntimeCompletionModel open(Path modelDir, Optional<Path> adapterDir, AdapterMode mode, int batchSize) {
        return open(modelDir, adapterDir, mode, batchSize, LoraScale.ADAPTER);
    }

    /** As {@link #open(Path, Optional, AdapterMode, int)}, the adapter applied with {@code scale} (issue 12 item 7). */
    public static RuntimeCompletionModel open(Path modelDir, Optional<Path> adapterDir, AdapterMode mode, int batchSize,
            LoraScale scale) {
        // bad adapter: fail before loading weights
        LoraWeights adapter = adapterDir.map(PeftAdapter::read).map(scale::apply).orElse(null);
        ChatModel chat = ChatModel.open(modelDir);
        try {
            return new RuntimeCompletionModel(chat, true, adapter, adapterDir.map(Path::toString).orElse(null), mode,
                    batchSize);
        } catch (RuntimeException e) {
            chat.close();
            throw e;
        }
    }

    @Override
    public List<String> complete(List<ChatPrompt> prompts, int maxNewTokens) {
        List<int[]> ids = new ArrayList<>(prompts.size());
        for (ChatPrompt p : prompts) {
            ids.add(chat.encodeRendered(chat.renderEvalPrompt(p.user(), p.prefill())));
        }
        return chat.generateText(ids, lora, chat.greedy(maxNewTokens));
    }

    @Override
    public int preferredBatchSize() {
        return batchSize;
    }

    @Override
    public void close() {
        try {
            if (lora != null) {
                lora.close();
            }
            if (merged != null) {
                merged.close(); // unmerge: a borrowed model goes back as it came
            }
        } finally {
            if (ownsChat) {
                chat.close();
            }
        }
    }
}
