package ai.t2l.cli;

import ai.t2l.io.FloatTensor;
import ai.t2l.io.SafetensorsWriter;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraBatch;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import ai.t2l.model.AdapterCheck;
import ai.t2l.compute.WeightPrecision;
import ai.t2l.model.Transformer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code t2l logits}: the float32 logits of one token sequence, for parity checks against other runtimes. */
@Command(name = "logits", mixinStandardHelpOptions = true,
        description = "Write the float32 logits (tensor 'logits', shape [seq, vocab]) of a token sequence to a"
                + " safetensors file.")
public final class LogitsCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    WeightsOption weights;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face model folder")
    Path model;

    @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT LoRA adapter folder")
    Path adapter;

    @Option(names = "--merged", description = "merge the adapter into the weights instead of applying it unmerged")
    boolean merged;

    @Option(names = "--input-ids", required = true, paramLabel = "1,2,3", description = "comma-separated token ids")
    String inputIds;

    @Option(names = "--out", required = true, paramLabel = "FILE.safetensors", description = "output file")
    Path out;

    @Override
    public Integer call() {
        if (merged && adapter == null) {
            throw new T2lException("--merged needs --adapter");
        }
        int[] ids = parseIds(inputIds);
        try (Transformer m = Transformer.load(model, WeightPrecision.inferenceDefault())) {
            FloatTensor logits;
            if (adapter == null) {
                logits = m.logits(ids, null);
            } else {
                LoraWeights w = PeftAdapter.read(adapter);
                AdapterCheck.check(m.config(), w, adapter.toString());
                if (merged) {
                    try (Transformer.Merged ignored = m.merge(w, adapter.toString())) {
                        logits = m.logits(ids, null);
                    }
                } else {
                    try (LoraBatch lora = LoraBatch.shared(m.manager(), w)) {
                        logits = m.logits(ids, lora);
                    }
                }
            }
            SafetensorsWriter.write(out, Map.of("logits", logits), Map.of("format", "pt"));
            System.out.println("wrote " + out + ": logits " + logits.shapeString());
        }
        return 0;
    }

    static int[] parseIds(String text) {
        String[] parts = text.split(",");
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new T2lException("--input-ids: '" + parts[i].trim() + "' (item " + (i + 1)
                        + ") is not an integer token id");
            }
        }
        return ids;
    }
}
