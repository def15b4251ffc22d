package ai.t2l.export;

import ai.t2l.io.AtomicFiles;
import ai.t2l.io.DType;
import ai.t2l.io.ModelWeights;
import ai.t2l.io.SafetensorsWriter;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraWeights;
import ai.t2l.model.AdapterCheck;
import ai.t2l.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code t2l export --merged}: a Hugging Face model folder with the adapter merged into its weights, as PEFT's
 * merge_and_unload() followed by save_pretrained() gives: the same shards (file names and weight_map), every tensor
 * in the dtype the base stores it in, the other files of the base folder (config, generation config, tokenizer)
 * copied. Weights are read from the base's safetensors files one tensor at a time.
 */
public final class MergedExport {
    private MergedExport() {}

    /** Files of a model folder that are weights in other formats (not copied: the merged weights replace them). */
    private static boolean isWeightFile(String name) {
        return name.endsWith(".safetensors") || name.endsWith(".bin") || name.endsWith(".pt")
                || name.endsWith(".pth") || name.endsWith(".gguf") || name.equals("model.safetensors.index.json");
    }

    public static void write(Path baseDir, LoraWeights adapter, String adapterSource, Path out, boolean overwrite) {
        ModelConfig c = ModelConfig.read(baseDir);
        AdapterCheck.check(c, adapter, adapterSource);
        double scaling = adapter.config().scaling();
        try (ModelWeights weights = ModelWeights.open(baseDir)) {
            for (var e : adapter.pairs().entrySet()) {
                String name = ai.t2l.model.TensorLayout.projection(e.getKey().layer(), e.getKey().module());
                if (!weights.contains(name)) {
                    throw new T2lException(baseDir + ": missing tensor '" + name + "' that " + adapterSource
                            + " adapts");
                }
            }
            Map<String, List<String>> shards = weights.shardContents();
            AtomicFiles.writeDirectory(out, overwrite, tmp -> {
                for (Map.Entry<String, List<String>> shard : shards.entrySet()) {
                    List<SafetensorsWriter.LazyTensor> ts = new ArrayList<>();
                    for (String name : shard.getValue()) {
                        DType dt = weights.dtype(name);
                        if (!dt.isFloat() || dt == DType.F64) {
                            throw new T2lException(weights.locate(name) + ": tensor '" + name + "' has dtype " + dt
                                    + "; merged export writes F32, F16 and BF16 weights");
                        }
                        LoraWeights.Pair p = LoraMerge.pairFor(adapter, name, c.numLayers());
                        ts.add(new SafetensorsWriter.LazyTensor(name, dt, weights.shape(name), () -> {
                            float[] w = weights.read(name).data();
                            return p == null ? w : LoraMerge.merged(w, p, scaling);
                        }));
                    }
                    Map<String, String> meta = new TreeMap<>(weights.shardMetadata(shard.getKey()));
                    meta.put("format", "pt"); // transformers refuses safetensors without format=pt
                    SafetensorsWriter.writeLazy(tmp.resolve(shard.getKey()), ts, meta);
                }
                copyOtherFiles(baseDir, tmp);
            });
        }
    }

    private static void copyOtherFiles(Path baseDir, Path tmp) throws IOException {
        Path index = baseDir.resolve("model.safetensors.index.json");
        if (Files.isRegularFile(index)) {
            Files.copy(index, tmp.resolve(index.getFileName())); // same shards, same dtypes: same weight_map and size
        }
        try (var files = Files.list(baseDir)) {
            for (Path f : files.toList()) {
                String n = f.getFileName().toString();
                if (Files.isRegularFile(f) && !isWeightFile(n) && !n.startsWith(".")) {
                    Files.copy(f, tmp.resolve(n));
                }
            }
        }
    }
}
