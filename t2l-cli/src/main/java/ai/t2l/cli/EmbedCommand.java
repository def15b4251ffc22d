package ai.t2l.cli;

import ai.t2l.embed.GteTaskEmbedder;
import ai.t2l.embed.NewModelConfig;
import ai.t2l.embed.NewModelEncoder;
import ai.t2l.embed.TaskText;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.SafetensorsWriter;
import ai.t2l.io.T2lException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code t2l embed}: the reference's description encoder (gte-large-en-v1.5, "NewModel") run natively from its
 * Hugging Face folder, for parity checks with the Python model and for users who want the embedding itself.
 */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Run a gte-v1.5 (NewModel) encoder folder on a text or token ids; writes last_hidden_state"
                + " [1, seq, hidden], pooled (CLS) [1, hidden], normalized (L2) [1, hidden] and t2l_embedding"
                + " (normalized x sqrt(hidden), the hypernetwork's input) to a safetensors file.")
public final class EmbedCommand implements Callable<Integer> {
    @Option(names = "--encoder", required = true, paramLabel = "DIR",
            description = "Encoder folder as downloaded from Hugging Face: config.json, model.safetensors, tokenizer.json")
    Path encoder;

    static final class Input {
        @Option(names = "--text", paramLabel = "TEXT", description = "A description (add_full_stop applied, as the reference)")
        String text;

        @Option(names = "--input-ids", paramLabel = "101,...,102", description = "Token ids as given (no tokenizer)")
        String inputIds;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Option(names = "--out", required = true, paramLabel = "FILE.safetensors", description = "Output file")
    Path out;

    @Override
    public Integer call() {
        if (!NewModelConfig.isNewModel(encoder)) {
            throw new T2lException("--encoder " + encoder + ": expected a NewModel folder (config.json with model_type"
                    + " \"new\", as Alibaba-NLP/gte-large-en-v1.5)");
        }
        int[] ids;
        FloatTensor last;
        if (input.text != null) {
            try (GteTaskEmbedder e = GteTaskEmbedder.open(encoder)) {
                String prepared = TaskText.prepare(input.text);
                ids = e.tokens(prepared);
                System.out.println("text: " + prepared);
                last = e.lastHiddenState(ids);
            }
        } else {
            ids = LogitsCommand.parseIds(input.inputIds); // ids as given: no tokenizer needed
            int[] ones = new int[ids.length];
            Arrays.fill(ones, 1);
            try (NewModelEncoder enc = NewModelEncoder.load(encoder)) {
                last = enc.forward(new int[][] {ids}, new int[][] {ones}, false).get(0);
            }
        }
        int h = (int) last.shape()[2];
        float[] pooled = Arrays.copyOf(last.data(), h); // CLS: last_hidden_state[:, 0]
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        tensors.put("last_hidden_state", last);
        tensors.put("pooled", new FloatTensor(pooled, new long[] {1, h}));
        tensors.put("normalized", new FloatTensor(TaskText.unit(pooled), new long[] {1, h}));
        tensors.put("t2l_embedding", new FloatTensor(TaskText.normalize(pooled), new long[] {1, h}));
        SafetensorsWriter.write(out, tensors, Map.of("format", "pt"));
        System.out.println("wrote " + out + ": " + ids.length + " tokens, last_hidden_state " + last.shapeString()
                + ", pooled/normalized/t2l_embedding [1, " + h + "]");
        return 0;
    }
}
