package ai.t2l.server;

import ai.t2l.embed.OnnxTaskEmbedder;
import ai.t2l.hypernet.HyperConfig;
import ai.t2l.hypernet.HyperModulator;
import ai.t2l.hypernet.Provenance;
import ai.t2l.hypernet.T2lFolder;
import ai.t2l.hypernet.Variant;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.Json;
import ai.t2l.io.SafetensorsWriter;
import ai.t2l.lora.LoraConfig;
import ai.t2l.miniature.MiniTokenizer;
import ai.t2l.model.ModelConfig;
import ai.t2l.model.RandomWeights;
import ai.t2l.tokenizer.ChatFormat;
import ai.t2l.tokenizer.ChatMessage;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny real world on disk, made once per test JVM until the embedded miniature lands: a random 2-layer Llama with
 * the miniature's character tokenizer, and a freshly initialised T2L checkpoint (384-d task embeddings, to match the
 * bundled bge-small encoder). {@link #stack()} opens them through the same code as {@code t2l serve}.
 */
final class TinyWorld {
    static final String BASE = "tiny-llama";
    private static Path root;

    private TinyWorld() {}

    static synchronized Path root() {
        if (root == null) {
            try {
                Path dir = Files.createTempDirectory("t2l-tiny-world");
                writeModel(dir.resolve("model"));
                writeT2l(dir.resolve("t2l"), ModelConfig.read(dir.resolve("model")));
                root = dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return root;
    }

    static ServingStack stack(int maxBatch) {
        Path r = root();
        return ServingStack.open(new ServingStack.Settings(r.resolve("model"), r.resolve("t2l"), FORMAT, BASE,
                maxBatch, OnnxTaskEmbedder.bundled()));
    }

    static void writeModel(Path dir) throws IOException {
        Files.createDirectories(dir);
        ObjectNode c = Json.MAPPER.createObjectNode().put("model_type", "llama")
                .put("vocab_size", MiniTokenizer.vocabSize()).put("hidden_size", 64).put("intermediate_size", 128)
                .put("num_hidden_layers", 2).put("num_attention_heads", 4).put("num_key_value_heads", 2)
                .put("rms_norm_eps", 1e-5).put("max_position_embeddings", 256).put("tie_word_embeddings", false)
                .put("hidden_act", "silu").put("bos_token_id", MiniTokenizer.id(MiniTokenizer.BOS))
                .put("eos_token_id", MiniTokenizer.id(MiniTokenizer.EOS))
                .put("pad_token_id", MiniTokenizer.id(MiniTokenizer.PAD));
        Files.writeString(dir.resolve("config.json"), Json.write(c));
        ModelConfig config = ModelConfig.read(dir);
        RandomWeights w = new RandomWeights(config, 11, 0.15);
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        for (String name : w.names()) {
            tensors.put(name, w.read(name));
        }
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        MiniTokenizer.write(dir);
    }

    static void writeT2l(Path dir, ModelConfig model) {
        HyperConfig hc = HyperConfig.builder().variant(Variant.M).latentSize(16).headInSize(32).taskEmbDim(384)
                .lora(new LoraConfig(4, 8, true, 0, List.of("q_proj", "v_proj"))).dimsFrom(model)
                .baseModel(BASE).embModel("bge-small-en-v1.5").build();
        try (HyperModulator h = HyperModulator.create(hc, 5, null)) {
            T2lFolder.save(dir, h, Provenance.now("t2l-server tests", "random init", Map.of()), true);
        }
    }

    /** The miniature's chat markup (<s><|user|>..<|end|><|assistant|>), until its own ChatFormat lands on main. */
    static final ChatFormat FORMAT = new ChatFormat() {
        @Override
        public String name() {
            return "tiny";
        }

        @Override
        public String templateName() {
            return "tests";
        }

        @Override
        public String bosToken() {
            return MiniTokenizer.BOS;
        }

        @Override
        public String endOfTurn() {
            return "<|end|>";
        }

        @Override
        public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
            StringBuilder out = new StringBuilder(MiniTokenizer.BOS);
            for (ChatMessage m : messages) {
                switch (m.role()) {
                    case "user" -> out.append("<|user|>").append(m.content()).append("<|end|>");
                    case "assistant" -> out.append("<|assistant|>").append(m.content()).append("<|end|>");
                    // renderAsTrained puts an empty system turn in front of every client conversation (issue 12
                    // item 12); this format has no system turn, so the empty one writes nothing.
                    case "system" -> {
                        if (!m.content().isEmpty()) {
                            throw new ai.t2l.io.T2lException("no system turn in this format");
                        }
                    }
                    default -> throw new ai.t2l.io.T2lException("no " + m.role() + " turn in this format");
                }
            }
            return out.append(addGenerationPrompt ? "<|assistant|>" : "").toString();
        }
    };
}
