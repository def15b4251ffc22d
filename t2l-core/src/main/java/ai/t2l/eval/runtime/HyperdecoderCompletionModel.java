package ai.t2l.eval.runtime;

import ai.t2l.eval.ChatPrompt;
import ai.t2l.eval.CompletionModel;
import ai.t2l.generate.ChatModel;
import ai.t2l.lora.LoraBatch;
import ai.t2l.lora.LoraScale;
import ai.t2l.lora.LoraWeights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Hyperdecoders baseline at evaluation (spec §9; scripts/eval_hyperdecoders_checkpoint.py): each prompt is
 * answered with its own adapter, generated from that prompt's user message, so one adapter per item. A batch's
 * adapters come from one hypernetwork pass ({@link HypernetAdapterGenerator#adapters}) and are applied unmerged, one
 * per row ({@link LoraBatch#of}), which gives every row what a batch of one would (the runner's contract).
 */
final class HyperdecoderCompletionModel implements CompletionModel {
    private final ChatModel chat;
    private final HypernetAdapterGenerator generator;
    private final LoraScale scale;
    private final int batchSize;

    private HyperdecoderCompletionModel(ChatModel chat, HypernetAdapterGenerator generator, LoraScale scale,
            int batchSize) {
        this.chat = chat;
        this.generator = generator;
        this.scale = scale;
        this.batchSize = batchSize;
    }

    /** Opens the base model; the generator is borrowed (its owner closes it). */
    static HyperdecoderCompletionModel open(Path modelDir, HypernetAdapterGenerator generator, LoraScale scale,
            int batchSize) {
        return new HyperdecoderCompletionModel(ChatModel.open(modelDir), generator, scale, batchSize);
    }

    @Override
    public List<String> complete(List<ChatPrompt> prompts, int maxNewTokens) {
        List<String> inputs = new ArrayList<>(prompts.size());
        List<int[]> ids = new ArrayList<>(prompts.size());
        for (ChatPrompt p : prompts) {
            inputs.add(p.user()); // the reference: TASK_TEMPLATES[task].format(example), our base user message
            ids.add(chat.encodeRendered(chat.renderEvalPrompt(p.user(), p.prefill())));
        }
        List<LoraWeights> adapters = new ArrayList<>(inputs.size());
        for (LoraWeights w : generator.adapters(inputs)) {
            ai.t2l.model.AdapterCheck.check(chat.model().config(), w, "the adapter generated for a prompt");
            adapters.add(scale.apply(w));
        }
        try (LoraBatch lora = LoraBatch.of(chat.model().manager(), adapters)) {
            return chat.generateText(ids, lora, chat.greedy(maxNewTokens));
        }
    }

    @Override
    public int preferredBatchSize() {
        return batchSize;
    }

    @Override
    public void close() {
        chat.close();
    }
}
