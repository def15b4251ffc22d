package ai.t2l.hypernet;

import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * What {@code t2l inspect} shows about a T2L checkpoint folder, read without loading any tensor data and without
 * the base model (reference folders: dims from the hypermod.pt tensor shapes).
 *
 * @param format "t2l" (our folder) or "reference" (hypermod.pt + args.yaml + adapter_config.json)
 */
public record T2lSummary(Path dir, String format, HyperConfig config, long parameterCount, long bufferValues,
        long adapterValues) {

    public static T2lSummary read(Path dir) {
        HyperConfig c;
        String format;
        if (Files.exists(dir.resolve(T2lFolder.CONFIG))) {
            c = T2lFolder.configFromJson(Json.read(dir.resolve(T2lFolder.CONFIG)), dir.resolve(T2lFolder.CONFIG));
            format = "t2l";
        } else if (Files.exists(dir.resolve(ReferenceCheckpoint.WEIGHTS))) {
            c = ReferenceCheckpoint.configFromShapes(dir, LoadOptions.defaults());
            format = "reference";
        } else {
            throw new T2lException(dir + ": not a T2L checkpoint folder");
        }
        long buffers = c.bufferShapes().values().stream().mapToLong(ai.t2l.io.FloatTensor::numel).sum();
        return new T2lSummary(dir, format, c, c.parameterCount(), buffers, buffers / 3);
    }

    /** A few human-readable lines. */
    public String describe() {
        String modules = config.modules().entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue().in() + "->" + e.getValue().out())
                .collect(Collectors.joining(", "));
        return String.join("\n",
                "T2L checkpoint " + dir + " (" + format + " format)",
                "  variant            " + config.variant() + (config.learnablePosEmb() ? " (learnable positions)" : ""),
                "  training task      " + config.trainingTask().referenceName()
                        + (config.trainingTask() == TrainingTask.RECON
                                ? " (factorized " + config.factorized() + ", pred_z_score " + config.predZScore() + ")"
                                : ""),
                "  latent / head_in   " + config.latentSize() + " / " + config.headInSize(),
                "  task embedding     " + config.taskEmbDim() + " (" + config.encoderType().name().toLowerCase()
                        + (config.embModel().isEmpty() ? "" : ", trained with " + config.embModel())
                        + (config.taskNames().isEmpty() ? "" : ", one-hot over the training tasks "
                                + OneHotTasks.preview(config.taskNames()))
                        + (config.inputAsDescription() ? ", input as description (Hyperdecoders)" : "") + ")",
                "  base model         " + config.baseModel() + ", " + config.numLayers() + " layers",
                "  LoRA               r " + config.rank() + ", alpha " + config.lora().alpha() + ", rsLoRA "
                        + config.lora().useRslora() + "; modules (type index order) " + modules,
                "  parameters         " + String.format("%,d", parameterCount) + " trainable (+"
                        + String.format("%,d", bufferValues) + " buffer values)",
                "  adapter size       " + String.format("%,d", adapterValues) + " values per generated adapter");
    }
}
