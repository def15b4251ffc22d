package ai.t2l.model;

import ai.t2l.compute.Int8Matrix;
import ai.t2l.compute.WeightPrecision;
import ai.t2l.io.AtomicFiles;
import ai.t2l.io.DType;
import ai.t2l.io.Json;
import ai.t2l.io.ModelWeights;
import ai.t2l.io.RawTensor;
import ai.t2l.io.SafetensorsWriter;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A model folder with its big matrices saved as int8 blocks ({@code t2l quantize}): the same layout as the source
 * folder (config.json, tokenizer files copied) with {@code model.safetensors} holding each matrix as I8 (rows, cols)
 * and its scales as F32 {@code <name>_scale} (rows, ceil(cols / 32)); norms and biases stay F32. config.json gains
 * {@code quantization_config: {quant_method: "t2l_q8_0", block_size: 32}}. Loading it skips the quantization step.
 */
public final class QuantizedFolder {
    private QuantizedFolder() {}

    public static void write(Path modelDir, Path out) {
        ModelConfig config = ModelConfig.read(modelDir);
        if (Files.exists(out.resolve("config.json"))) {
            throw new T2lException(out + ": already holds a model (config.json); choose an empty folder");
        }
        Map<String, long[]> layout = TensorLayout.of(config);
        try (ModelWeights weights = ModelWeights.open(modelDir);
                Readahead ahead = new Readahead(weights, MatrixLoader.mappedHalf(weights, layout))) {
            Map<String, RawTensor> tensors = new LinkedHashMap<>();
            Int8Matrix[] last = {null}; // the matrix just written, whose scales come next in name order
            for (Map.Entry<String, long[]> e : layout.entrySet()) {
                String name = e.getKey();
                long[] shape = e.getValue();
                if (!weights.contains(name)) {
                    throw new T2lException(modelDir + ": missing tensor '" + name + "'");
                }
                if (!Transformer.isMatrix(name)) {
                    tensors.put(name, RawTensor.ofFloats(shape, weights.read(name).data()));
                    continue;
                }
                MatrixLoader.checkDtype(weights, name, shape);
                tensors.put(name, new RawTensor(DType.I8, shape, os -> {
                    last[0] = (Int8Matrix) MatrixLoader.load(weights, name, shape, WeightPrecision.INT8, null, ahead);
                    last[0].writeQuantized(os);
                }));
                tensors.put(MatrixLoader.scaleName(name), new RawTensor(DType.F32,
                        new long[] {shape[0], Int8Matrix.blocks(shape[1])},
                        os -> RawTensor.ofFloats(shape, last[0].scales()).body().writeTo(os)));
            }
            Files.createDirectories(out);
            SafetensorsWriter.writeRaw(out.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
            copyOtherFiles(modelDir, out);
            ObjectNode cfg = (ObjectNode) Json.read(modelDir.resolve("config.json"));
            cfg.putObject("quantization_config").put("quant_method", "t2l_q8_0").put("block_size", Int8Matrix.BLOCK);
            AtomicFiles.writeString(out.resolve("config.json"), Json.write(cfg) + "\n");
        } catch (IOException e) {
            throw new T2lException(out + ": cannot write the quantized folder: " + e.getMessage(), e);
        }
    }

    private static void copyOtherFiles(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                String n = f.getFileName().toString();
                if (Files.isRegularFile(f) && !n.endsWith(".safetensors") && !n.equals("model.safetensors.index.json")
                        && !n.equals("config.json")) {
                    Files.copy(f, to.resolve(n), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
