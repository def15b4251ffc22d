package ai.t2l.cli;

import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraMixing;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code t2l mix}: the reference's LoRA mixing (A and B mixed separately) of PEFT adapter folders. */
@Command(name = "mix", mixinStandardHelpOptions = true,
        description = "Mix PEFT LoRA adapters with weights, A and B separately (the reference's lora_mixing);"
                + " writes a PEFT folder with the first adapter's config.")
public final class MixCommand implements Callable<Integer> {
    @Option(names = "--adapter", required = true, paramLabel = "DIR", description = "An adapter folder (repeat)")
    List<Path> adapters;

    @Option(names = "--weights", required = true, paramLabel = "w1,w2,...", description = "One weight per adapter")
    String weights;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output adapter folder (new)")
    Path out;

    @Override
    public Integer call() {
        String[] parts = weights.split(",");
        double[] w = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                w[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new T2lException("--weights: '" + parts[i].trim() + "' (item " + (i + 1) + ") is not a number");
            }
        }
        List<LoraWeights> loaded = new ArrayList<>();
        for (Path a : adapters) {
            loaded.add(PeftAdapter.read(a));
        }
        LoraWeights mixed = LoraMixing.mix(loaded, w);
        // the first adapter's config, base model included, as the reference copies its adapter_config.json
        String base = ai.t2l.io.Json.read(adapters.get(0).resolve(PeftAdapter.CONFIG)).path("base_model_name_or_path")
                .textValue();
        PeftAdapter.write(out, mixed, base, null, false);
        System.out.println("wrote " + out + ": " + adapters.size() + " adapters mixed with weights " + weights);
        return 0;
    }
}
