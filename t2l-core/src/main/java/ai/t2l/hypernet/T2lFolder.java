package ai.t2l.hypernet;

import ai.djl.ndarray.NDManager;
import ai.t2l.io.AtomicFiles;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.Json;
import ai.t2l.io.SafetensorsFile;
import ai.t2l.io.SafetensorsWriter;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Our own T2L checkpoint folder: {@code weights.safetensors} (every tensor under its reference state-dict name,
 * float32) and {@code t2l_config.json} (the full {@link HyperConfig}, with the module order explicit, plus
 * {@link Provenance}). Written atomically as a whole folder.
 */
public final class T2lFolder {
    public static final String CONFIG = "t2l_config.json";
    public static final String WEIGHTS = "weights.safetensors";
    public static final String FORMAT = "t2l-hypernet";
    public static final int FORMAT_VERSION = 1;

    private T2lFolder() {}

    public static void save(Path dir, HyperModulator h, Provenance provenance, boolean overwrite) {
        Map<String, FloatTensor> state = h.stateDict();
        String json = Json.write(toJson(h.config(), provenance));
        AtomicFiles.writeDirectory(dir, overwrite, tmp -> {
            SafetensorsWriter.write(tmp.resolve(WEIGHTS), state, Map.of("format", FORMAT));
            Files.writeString(tmp.resolve(CONFIG), json);
        });
    }

    public static HypernetCheckpoint load(Path dir, NDManager parent) {
        Path cfgFile = dir.resolve(CONFIG);
        JsonNode root = Json.read(cfgFile);
        HyperConfig config = configFromJson(root, cfgFile);
        Provenance provenance = provenanceFromJson(root.path("provenance"));
        Map<String, FloatTensor> state = new LinkedHashMap<>();
        Path weights = dir.resolve(WEIGHTS);
        try (SafetensorsFile f = SafetensorsFile.open(weights)) {
            for (String name : f.names()) {
                state.put(name, f.read(name));
            }
        }
        HyperModulator h = HyperModulator.fromState(config, state, weights.toString(), parent);
        return new HypernetCheckpoint(h, provenance, dir, null, List.of());
    }

    static ObjectNode toJson(HyperConfig c, Provenance p) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("format", FORMAT);
        n.put("format_version", FORMAT_VERSION);
        ObjectNode h = n.putObject("hypernet");
        h.put("variant", c.variant().name());
        h.put("learnable_pos_emb", c.learnablePosEmb());
        h.put("latent_size", c.latentSize());
        h.put("head_in_size", c.headInSize());
        h.put("task_emb_dim", c.taskEmbDim());
        h.put("encoder_type", c.encoderType().name().toLowerCase(Locale.ROOT));
        h.put("n_layers", c.numLayers());
        h.put("training_task", c.trainingTask().referenceName());
        h.put("pred_z_score", c.predZScore());
        h.put("factorized", c.factorized());
        h.put("delta_w_scaling", c.deltaWScaling());
        h.put("head_use_bias", c.headUseBias());
        h.put("base_model", c.baseModel());
        h.put("emb_model", c.embModel());
        if (!c.taskNames().isEmpty()) {
            var names = h.putArray("task_names"); // the one-hot index table, in index order (OneHotTasks)
            c.taskNames().forEach(names::add);
        }
        if (c.inputAsDescription()) { // written only when set: folders of description T2L keep their bytes
            h.put("input_as_description", true);
        }
        var mods = h.putArray("modules"); // in module-type index order
        c.modules().forEach((name, d) -> mods.addObject().put("name", name).put("in_features", d.in())
                .put("out_features", d.out()));
        ObjectNode lora = h.putObject("lora");
        lora.put("r", c.lora().r());
        lora.put("alpha", c.lora().alpha());
        lora.put("use_rslora", c.lora().useRslora());
        lora.put("dropout", c.lora().dropout());
        ObjectNode prov = n.putObject("provenance");
        prov.put("created_by", p.createdBy());
        prov.put("created_from", p.createdFrom());
        prov.put("created_at", p.createdAt());
        ObjectNode det = prov.putObject("details");
        p.details().forEach(det::put);
        return n;
    }

    static HyperConfig configFromJson(JsonNode root, Path file) {
        if (!FORMAT.equals(root.path("format").asText()) || root.path("format_version").asInt() != FORMAT_VERSION) {
            throw new T2lException(file + ": field 'format' is '" + root.path("format").asText() + "' version "
                    + root.path("format_version") + ", expected '" + FORMAT + "' version " + FORMAT_VERSION);
        }
        JsonNode h = root.path("hypernet");
        Fields f = new Fields(h, file);
        List<String> order = new ArrayList<>();
        HyperConfig.Builder b = HyperConfig.builder();
        for (JsonNode m : f.req("modules")) {
            order.add(m.path("name").asText());
        }
        JsonNode l = f.req("lora");
        b.lora(new LoraConfig(l.path("r").asInt(), l.path("alpha").asDouble(), l.path("use_rslora").asBoolean(),
                l.path("dropout").asDouble(), order));
        for (JsonNode m : f.req("modules")) {
            b.module(m.path("name").asText(), m.path("in_features").asInt(), m.path("out_features").asInt());
        }
        try {
            return b.variant(Variant.valueOf(f.req("variant").asText()))
                    .learnablePosEmb(f.req("learnable_pos_emb").asBoolean())
                    .latentSize(f.req("latent_size").asInt())
                    .headInSize(f.req("head_in_size").asInt())
                    .taskEmbDim(f.req("task_emb_dim").asInt())
                    .encoderType(TaskEncoderType.valueOf(f.req("encoder_type").asText().toUpperCase(Locale.ROOT)))
                    .numLayers(f.req("n_layers").asInt())
                    .trainingTask(TrainingTask.valueOf(f.req("training_task").asText().toUpperCase(Locale.ROOT)))
                    .predZScore(f.req("pred_z_score").asBoolean())
                    .factorized(f.req("factorized").asBoolean())
                    .deltaWScaling(f.req("delta_w_scaling").asDouble())
                    .headUseBias(f.req("head_use_bias").asBoolean())
                    .baseModel(h.path("base_model").asText(""))
                    .embModel(h.path("emb_model").asText(""))
                    .taskNames(taskNames(h, file))
                    .inputAsDescription(h.path("input_as_description").asBoolean(false))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new T2lException(file + ": invalid hypernet config: " + e.getMessage(), e);
        }
    }

    /** Optional (folders written before one-hot support have none); a one-hot config without it fails in build. */
    private static List<String> taskNames(JsonNode h, Path file) {
        JsonNode a = h.get("task_names");
        if (a == null || a.isNull()) {
            return List.of();
        }
        if (!a.isArray()) {
            throw new T2lException(file + ": field 'hypernet.task_names' must be a list of task names, found " + a);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode n : a) {
            if (!n.isTextual()) {
                throw new T2lException(file + ": field 'hypernet.task_names' must hold strings, found " + n);
            }
            out.add(n.asText());
        }
        return out;
    }

    private static Provenance provenanceFromJson(JsonNode p) {
        Map<String, String> details = new LinkedHashMap<>();
        p.path("details").fields().forEachRemaining(e -> details.put(e.getKey(), e.getValue().asText()));
        return new Provenance(p.path("created_by").asText(""), p.path("created_from").asText(""),
                p.path("created_at").asText(""), details);
    }

    private record Fields(JsonNode node, Path file) {
        JsonNode req(String key) {
            JsonNode n = node.get(key);
            if (n == null || n.isNull()) {
                throw new T2lException(file + ": missing field 'hypernet." + key + "'");
            }
            return n;
        }
    }
}
