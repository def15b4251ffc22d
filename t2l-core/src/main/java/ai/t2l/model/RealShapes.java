package ai.t2l.model;

import ai.t2l.io.AtomicFiles;
import ai.t2l.io.DType;
import ai.t2l.io.Json;
import ai.t2l.io.RawTensor;
import ai.t2l.io.SafetensorsWriter;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random models in the real shapes of the paper's base models (BENCHMARKS-WORKLOADS.md §4), written as Hugging Face
 * writes them: bfloat16 safetensors shards of at most 5 GB with {@code model.safetensors.index.json}. Values are
 * uniform with std 0.02, seeded per tensor name, so the same seed gives the same bytes; norms are 1 (Gemma 2: 0,
 * its norms add 1). For benchmarks of memory and speed only: the text they produce is noise.
 */
public final class RealShapes {
    public static final List<String> NAMES = List.of("mistral-7b", "llama-3.1-8b", "gemma-2-2b");
    private static final long SHARD_BYTES = 5_000_000_000L;

    private RealShapes() {}

    /** The config.json of a named shape, with the fields of the released checkpoints. */
    public static ObjectNode config(String shape) {
        ObjectNode c = Json.MAPPER.createObjectNode();
        switch (shape.toLowerCase(Locale.ROOT)) {
            case "mistral-7b" -> c.put("model_type", "mistral").put("vocab_size", 32000).put("hidden_size", 4096)
                    .put("intermediate_size", 14336).put("num_hidden_layers", 32).put("num_attention_heads", 32)
                    .put("num_key_value_heads", 8).put("rms_norm_eps", 1e-5).put("rope_theta", 1e6)
                    .put("max_position_embeddings", 32768).put("tie_word_embeddings", false).put("hidden_act", "silu")
                    .putNull("sliding_window");
            case "llama-3.1-8b" -> {
                c.put("model_type", "llama").put("vocab_size", 128256).put("hidden_size", 4096)
                        .put("intermediate_size", 14336).put("num_hidden_layers", 32).put("num_attention_heads", 32)
                        .put("num_key_value_heads", 8).put("rms_norm_eps", 1e-5).put("rope_theta", 500000.0)
                        .put("max_position_embeddings", 131072).put("tie_word_embeddings", false)
                        .put("hidden_act", "silu");
                c.putObject("rope_scaling").put("factor", 8.0).put("low_freq_factor", 1.0).put("high_freq_factor", 4.0)
                        .put("original_max_position_embeddings", 8192).put("rope_type", "llama3");
            }
            case "gemma-2-2b" -> c.put("model_type", "gemma2").put("vocab_size", 256000).put("hidden_size", 2304)
                    .put("intermediate_size", 9216).put("num_hidden_layers", 26).put("num_attention_heads", 8)
                    .put("num_key_value_heads", 4).put("head_dim", 256).put("rms_norm_eps", 1e-6)
                    .put("rope_theta", 10000.0).put("max_position_embeddings", 8192).put("tie_word_embeddings", true)
                    .put("hidden_activation", "gelu_pytorch_tanh").put("hidden_act", "gelu_pytorch_tanh")
                    .put("query_pre_attn_scalar", 256).put("sliding_window", 4096)
                    .put("final_logit_softcapping", 30.0).put("attn_logit_softcapping", 50.0);
            default -> throw new T2lException("unknown --shape '" + shape + "' (expected one of " + NAMES + ")");
        }
        c.put("torch_dtype", "bfloat16").put("bos_token_id", 1).put("eos_token_id", 2);
        return c;
    }

    /** Bytes the shape's weights take in bfloat16. */
    public static long bf16Bytes(String shape) {
        ModelConfig c = ModelConfig.parse(config(shape), shape);
        long n = 0;
        for (long[] s : TensorLayout.of(c).values()) {
            n += 2 * ai.t2l.io.FloatTensor.numel(s);
        }
        return n;
    }

    /**
     * Writes the shape into {@code dir} unless a complete copy is already there (config.json is written last);
     * checks the free disk space first.
     */
    public static void write(String shape, Path dir, long seed) {
        ObjectNode cfgJson = config(shape);
        ModelConfig c = ModelConfig.parse(cfgJson, shape);
        if (Files.exists(dir.resolve("config.json"))) {
            return;
        }
        long need = bf16Bytes(shape);
        try {
            Files.createDirectories(dir);
            long free = Files.getFileStore(dir).getUsableSpace();
            if (free < need + (1L << 30)) {
                throw new T2lException(dir + ": writing the " + shape + " shape needs " + String.format("%.1f GB", need
                        / 1e9) + " of disk but only " + String.format("%.1f GB", free / 1e9) + " is free");
            }
        } catch (IOException e) {
            throw new T2lException(dir + ": " + e.getMessage(), e);
        }
        List<Map<String, RawTensor>> shards = new ArrayList<>();
        Map<String, RawTensor> current = new LinkedHashMap<>();
        long size = 0;
        for (Map.Entry<String, long[]> e : TensorLayout.of(c).entrySet()) {
            long bytes = 2 * ai.t2l.io.FloatTensor.numel(e.getValue());
            if (size > 0 && size + bytes > SHARD_BYTES) {
                shards.add(current);
                current = new LinkedHashMap<>();
                size = 0;
            }
            boolean norm = e.getValue().length == 1 && e.getKey().endsWith("norm.weight");
            float fill = c.family() == Family.GEMMA2 ? 0f : 1f;
            String name = e.getKey();
            current.put(name, new RawTensor(DType.BF16, e.getValue(), os -> fill(os, bytes / 2, norm, fill,
                    seed ^ name.hashCode() * 0x9E3779B97F4A7C15L)));
            size += bytes;
        }
        shards.add(current);
        ObjectNode index = Json.MAPPER.createObjectNode();
        index.putObject("metadata").put("total_size", need);
        ObjectNode map = index.putObject("weight_map");
        for (int i = 0; i < shards.size(); i++) {
            String file = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            shards.get(i).keySet().forEach(n -> map.put(n, file));
            SafetensorsWriter.writeRaw(dir.resolve(file), shards.get(i), Map.of("format", "pt"));
        }
        AtomicFiles.writeString(dir.resolve("model.safetensors.index.json"), Json.write(index) + "\n");
        AtomicFiles.writeString(dir.resolve("config.json"), Json.write(cfgJson) + "\n");
    }

    /** n bf16 values, uniform with std 0.02 (half-width 0.02·√3), or the constant {@code fill} for norms. */
    private static void fill(OutputStream os, long n, boolean norm, float fill, long seed) throws IOException {
        SplittableRandom rng = new SplittableRandom(seed);
        byte[] buf = new byte[1 << 20];
        float a = (float) (0.02 * Math.sqrt(3));
        short constant = (short) (Float.floatToRawIntBits(fill) >>> 16);
        for (long done = 0; done < n; ) {
            int k = (int) Math.min(buf.length / 2, n - done);
            for (int i = 0; i < k; i++) {
                short b = norm ? constant
                        : (short) (Float.floatToRawIntBits((rng.nextInt(1 << 24) * 0x1p-23f - 1f) * a) >>> 16);
                buf[2 * i] = (byte) b;
                buf[2 * i + 1] = (byte) (b >>> 8);
            }
            os.write(buf, 0, 2 * k);
            done += k;
        }
    }
}
