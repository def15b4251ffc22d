package ai.t2l.inspect;

import ai.t2l.io.FloatTensor;
import ai.t2l.io.SafetensorsFile;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraConfig;
import ai.t2l.lora.PeftAdapter;
import ai.t2l.model.ModelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Human-readable summaries of what a path holds: a safetensors file, a Hugging Face model folder, a PEFT adapter
 * folder or a T2L checkpoint folder. The CLI's {@code t2l inspect} prints these.
 */
public final class Inspector {
    private Inspector() {}

    /** The summary: per-layer tensors once; see {@link #inspect(Path, boolean)}. */
    public static String inspect(Path path) {
        return inspect(path, false);
    }

    /** With {@code all}, every tensor is listed instead of the per-layer summary. */
    public static String inspect(Path path, boolean all) {
        if (!Files.exists(path)) {
            throw new T2lException(path + ": no such file or folder");
        }
        if (Files.isRegularFile(path)) {
            if (path.getFileName().toString().endsWith(".gguf")) {
                return ggufSummary(path);
            }
            if (!path.getFileName().toString().endsWith(".safetensors")) {
                throw new T2lException(path + ": cannot inspect this file (expected a .safetensors or .gguf file,"
                        + " or a folder)");
            }
            return "safetensors file " + path + "\n" + TensorSummary.of(List.of(path), all);
        }
        for (FolderKind kind : FolderKind.values()) {
            if (kind.matches(path)) {
                return kind.describe(path, all);
            }
        }
        throw new T2lException(path + ": not a model folder (config.json), adapter folder (adapter_config.json)"
                + " or T2L folder (hypermod.pt or t2l_config.json)");
    }

    /** A GGUF file (t2l export): its metadata, arrays shortened to their length, and the tensor count. */
    static String ggufSummary(Path path) {
        ai.t2l.io.GgufFile g = ai.t2l.io.GgufFile.read(path);
        StringBuilder sb = new StringBuilder("GGUF file " + path + "\n");
        g.metadata().forEach((k, v) -> {
            String text = v instanceof java.util.List<?> l ? "[" + l.size() + " values]" : String.valueOf(v);
            if (text.length() > 80) {
                text = text.substring(0, 77).replace("\n", " ") + "...";
            }
            sb.append(String.format("  %-42s %s%n", k, text.replace("\n", " ")));
        });
        sb.append("  ").append(g.tensors().size()).append(" tensors\n");
        return sb.toString();
    }

    /** The folder layouts we recognise, in the order they are tried. */
    private enum FolderKind {
        T2L {
            boolean matches(Path p) {
                return Files.exists(p.resolve("hypermod.pt")) || Files.exists(p.resolve("t2l_config.json"));
            }

            String describe(Path p, boolean all) {
                return T2lFolderSummary.describe(p);
            }
        },
        ADAPTER {
            boolean matches(Path p) {
                return Files.exists(p.resolve(PeftAdapter.CONFIG));
            }

            String describe(Path p, boolean all) {
                LoraConfig c = PeftAdapter.readConfig(p.resolve(PeftAdapter.CONFIG));
                StringBuilder sb = new StringBuilder("PEFT LoRA adapter " + p + "\n");
                sb.append(String.format(Locale.ROOT, "  r %d, alpha %s, rsLoRA %s -> scaling %.5f, dropout %s%n",
                        c.r(), num(c.alpha()), c.useRslora(), c.scaling(), num(c.dropout())));
                sb.append("  target modules ").append(c.targetModules()).append('\n');
                Path w = p.resolve(PeftAdapter.WEIGHTS);
                if (Files.exists(w)) {
                    sb.append(TensorSummary.of(List.of(w), all));
                } else {
                    sb.append("  (no ").append(PeftAdapter.WEIGHTS).append(")\n");
                }
                return sb.toString();
            }
        },
        MODEL {
            boolean matches(Path p) {
                return Files.exists(p.resolve("config.json"));
            }

            String describe(Path p, boolean all) {
                ModelConfig c = ModelConfig.read(p);
                StringBuilder sb = new StringBuilder("Hugging Face model " + p + "\n");
                sb.append(String.format(Locale.ROOT,
                        "  %s: %d layers, hidden %d, heads %d (kv %d, head dim %d), intermediate %d, vocab %d%n",
                        c.family().modelType, c.numLayers(), c.hiddenSize(), c.numHeads(), c.numKvHeads(), c.headDim(),
                        c.intermediateSize(), c.vocabSize()));
                sb.append(String.format(Locale.ROOT, "  rope theta %s%s, tied embeddings %s, sliding window %s, eos %s%n",
                        num(c.ropeTheta()), c.ropeScaling() == null ? "" : " (" + c.ropeScaling().type() + " scaling)",
                        c.tieWordEmbeddings(), c.slidingWindow(), c.eosTokenIds()));
                List<Path> shards = weightFiles(p);
                if (shards.isEmpty()) {
                    sb.append("  (no .safetensors weights)\n");
                } else {
                    sb.append(TensorSummary.of(shards, all));
                }
                return sb.toString();
            }
        };

        abstract boolean matches(Path p);

        abstract String describe(Path p, boolean all);
    }

    /** The model's weight files: model.safetensors, or the shards its index names (in name order). */
    static List<Path> weightFiles(Path dir) {
        Path index = dir.resolve("model.safetensors.index.json");
        if (Files.exists(index)) {
            com.fasterxml.jackson.databind.JsonNode map = ai.t2l.io.Json.read(index).get("weight_map");
            if (map == null || !map.isObject()) {
                throw new T2lException(index + ": missing object field 'weight_map'");
            }
            java.util.TreeSet<String> names = new java.util.TreeSet<>();
            map.forEach(v -> names.add(v.asText()));
            List<Path> out = new ArrayList<>();
            for (String n : names) {
                if (n.contains("/") || n.contains("\\")) {
                    throw new T2lException(index + ": shard '" + n + "' is outside the model folder");
                }
                out.add(dir.resolve(n));
            }
            return out;
        }
        Path single = dir.resolve("model.safetensors");
        return Files.exists(single) ? List.of(single) : List.of();
    }

    /** name, dtype, shape per tensor, then the parameter count. */
    public static String tensorTable(Path file) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            List<String[]> rows = new ArrayList<>();
            long total = 0;
            for (SafetensorsFile.Entry e : f.entries().values()) {
                rows.add(new String[] {e.name(), e.dtype().name(), Arrays.toString(e.shape())});
                total += FloatTensor.numel(e.shape());
            }
            int w0 = rows.stream().mapToInt(r -> r[0].length()).max().orElse(4);
            StringBuilder sb = new StringBuilder();
            if (!f.metadata().isEmpty()) {
                sb.append("  metadata ").append(f.metadata()).append('\n');
            }
            sb.append(String.format(Locale.ROOT, "  %-" + w0 + "s  %-5s  %s%n", "tensor", "dtype", "shape"));
            for (String[] r : rows) {
                sb.append(String.format(Locale.ROOT, "  %-" + w0 + "s  %-5s  %s%n", r[0], r[1], r[2]));
            }
            sb.append(String.format(Locale.ROOT, "  %d tensors, %,d parameters%n", rows.size(), total));
            return sb.toString();
        }
    }

    static String num(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
