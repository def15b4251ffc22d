package ai.t2l.lora;

import ai.t2l.io.AtomicFiles;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.Json;
import ai.t2l.io.SafetensorsFile;
import ai.t2l.io.SafetensorsWriter;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEFT LoRA adapter folders: {@code adapter_config.json} + {@code adapter_model.safetensors} with keys
 * {@code base_model.model.model.layers.{l}.{self_attn|mlp}.{module}.lora_{A|B}.weight}.
 */
public final class PeftAdapter {
    public static final String CONFIG = "adapter_config.json";
    public static final String WEIGHTS = "adapter_model.safetensors";
    private static final Pattern KEY = Pattern.compile(
            "base_model\\.model\\.model\\.layers\\.(\\d+)\\.(self_attn|mlp)\\.([a-z_]+)\\.lora_([AB])\\.weight");

    private PeftAdapter() {}

    /** The HF submodule that holds a projection: attention projections live in self_attn, the MLP ones in mlp. */
    public static String parentOf(String module) {
        return switch (module) {
            case "q_proj", "k_proj", "v_proj", "o_proj" -> "self_attn";
            case "gate_proj", "up_proj", "down_proj" -> "mlp";
            default -> throw new T2lException("unsupported LoRA target module '" + module
                    + "' (expected q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj or down_proj)");
        };
    }

    public static String key(int layer, String module, char ab) {
        return "base_model.model.model.layers." + layer + "." + parentOf(module) + "." + module + ".lora_" + ab
                + ".weight";
    }

    public static LoraConfig readConfig(Path configFile) {
        JsonNode c = Json.read(configFile);
        String peftType = c.path("peft_type").asText("LORA");
        if (!peftType.equals("LORA")) {
            throw new T2lException(configFile + ": field 'peft_type' is '" + peftType + "', expected 'LORA'");
        }
        if (c.path("use_dora").asBoolean(false)) {
            throw new T2lException(configFile + ": field 'use_dora' is true; DoRA adapters are not supported");
        }
        if (c.path("fan_in_fan_out").asBoolean(false)) {
            throw new T2lException(configFile + ": field 'fan_in_fan_out' is true; only Linear (not Conv1D) LoRA is supported");
        }
        refuseNumericExtras(c, configFile);
        if (!c.path("r").canConvertToInt() || c.path("r").asInt() <= 0) {
            throw new T2lException(configFile + ": field 'r' must be a positive integer, found " + c.get("r"));
        }
        JsonNode tm = c.get("target_modules");
        List<String> modules = new ArrayList<>();
        if (tm != null && tm.isArray()) {
            tm.forEach(n -> modules.add(n.asText()));
        } else if (tm != null && tm.isTextual()) {
            modules.add(tm.asText());
        } else {
            throw new T2lException(configFile + ": field 'target_modules' must be a list of module names, found " + tm);
        }
        modules.forEach(PeftAdapter::parentOf);
        return new LoraConfig(c.get("r").asInt(), c.path("lora_alpha").asDouble(8), c.path("use_rslora").asBoolean(false),
                c.path("lora_dropout").asDouble(0), modules);
    }

    /**
     * Keys (from any PEFT version) whose non-default values change what the adapter computes and that we do not
     * implement: refused by name. Every other key, known or newer than us, is ignored: at its default it means
     * "plain LoRA", and initialisation-only keys (eva_config, corda_config, loftq_config, init_lora_weights, ...)
     * do not change a trained adapter's numbers.
     */
    private static void refuseNumericExtras(JsonNode c, Path configFile) {
        String[] mustBeFalse = {"lora_bias", "use_qalora", "use_bdlora"};
        for (String k : mustBeFalse) {
            if (c.path(k).asBoolean(false)) {
                throw new T2lException(configFile + ": field '" + k + "' is true; only plain LoRA is supported");
            }
        }
        String[] mustBeEmpty = {"rank_pattern", "alpha_pattern", "layers_to_transform", "layer_replication",
            "modules_to_save", "trainable_token_indices", "alora_invocation_tokens", "target_parameters",
            "arrow_config"};
        for (String k : mustBeEmpty) {
            JsonNode v = c.get(k);
            if (v != null && !v.isNull() && !(v.isContainerNode() && v.isEmpty())) {
                throw new T2lException(configFile + ": field '" + k + "' is " + v
                        + "; only adapters with it unset (null or empty) are supported");
            }
        }
        String bias = c.path("bias").asText("none");
        if (!bias.equals("none")) {
            throw new T2lException(configFile + ": field 'bias' is '" + bias + "', expected 'none'");
        }
    }

    /** Reads a PEFT folder; every tensor is checked against the config's rank and module list. */
    public static LoraWeights read(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new T2lException(dir + ": no such adapter folder");
        }
        LoraConfig cfg = readConfig(dir.resolve(CONFIG));
        Path weights = dir.resolve(WEIGHTS);
        if (!Files.exists(weights)) {
            throw new T2lException(dir + ": missing " + WEIGHTS
                    + (Files.exists(dir.resolve("adapter_model.bin")) ? " (legacy adapter_model.bin is not read)" : ""));
        }
        Map<LoraWeights.Site, FloatTensor[]> parts = new HashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(weights)) {
            for (String name : f.names()) {
                Matcher m = KEY.matcher(name);
                if (!m.matches()) {
                    throw new T2lException(weights + ": unexpected tensor '" + name
                            + "' (expected base_model.model.model.layers.N.<self_attn|mlp>.<module>.lora_<A|B>.weight)");
                }
                String module = m.group(3);
                if (!cfg.targetModules().contains(module)) {
                    throw new T2lException(weights + ": tensor '" + name + "' adapts '" + module
                            + "', which is not in target_modules " + cfg.targetModules());
                }
                FloatTensor t = f.read(name);
                long[] s = t.shape();
                boolean isA = m.group(4).equals("A");
                if (s.length != 2 || s[isA ? 0 : 1] != cfg.r()) {
                    throw new T2lException(weights + ": tensor '" + name + "' has shape " + t.shapeString()
                            + ", expected " + (isA ? "[r=" + cfg.r() + ", in]" : "[out, r=" + cfg.r() + "]"));
                }
                parts.computeIfAbsent(new LoraWeights.Site(Integer.parseInt(m.group(1)), module),
                        k -> new FloatTensor[2])[isA ? 0 : 1] = t;
            }
        }
        Map<LoraWeights.Site, LoraWeights.Pair> pairs = new LinkedHashMap<>();
        parts.forEach((site, ab) -> {
            if (ab[0] == null || ab[1] == null) {
                throw new T2lException(weights + ": layer " + site.layer() + " " + site.module() + " has lora_"
                        + (ab[0] == null ? "B but no lora_A" : "A but no lora_B"));
            }
            pairs.put(site, new LoraWeights.Pair(ab[0], ab[1]));
        });
        return new LoraWeights(cfg, pairs);
    }

    /**
     * Writes a PEFT folder atomically, as the reference's generate_lora.py does: adapter_config.json (2-space
     * indent, sorted keys), adapter_model.safetensors (float32, no metadata) and, when given, task_desc.txt.
     *
     * @param baseModel a hub id or a path; a relative path is written as the absolute path it names now (see
     *                  {@link BaseModelRef}), so the adapter still finds its base after the folder moves
     */
    public static void write(Path dir, LoraWeights w, String baseModel, String taskDescription, boolean overwrite) {
        AtomicFiles.writeDirectory(dir, overwrite, tmp -> {
            Files.writeString(tmp.resolve(CONFIG), configJson(w.config(), baseModel));
            Map<String, FloatTensor> tensors = new LinkedHashMap<>();
            w.pairs().forEach((site, p) -> {
                tensors.put(key(site.layer(), site.module(), 'A'), p.a());
                tensors.put(key(site.layer(), site.module(), 'B'), p.b());
            });
            SafetensorsWriter.write(tmp.resolve(WEIGHTS), tensors, null);
            if (taskDescription != null) {
                Files.writeString(tmp.resolve("task_desc.txt"), taskDescription);
            }
        });
    }

    /**
     * The keys every PEFT since 0.10 accepts, and only those: PEFT before 0.14 builds the config with
     * {@code LoraConfig(**json)} and raises TypeError on a key it does not know, so keys added later
     * (corda_config, eva_config, exclude_modules, lora_bias, trainable_token_indices, ...) are left out; at their
     * defaults they mean the same as absent. The per-version key sets are in the test resource
     * peft/lora-config-keys.json (read from PEFT's source at each release tag).
     */
    static String configJson(LoraConfig c, String baseModel) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.putObject("alpha_pattern");
        n.putNull("auto_mapping");
        String base = BaseModelRef.forConfig(baseModel);
        if (base == null) {
            n.putNull("base_model_name_or_path");
        } else {
            n.put("base_model_name_or_path", base);
        }
        n.put("bias", "none");
        n.put("fan_in_fan_out", false);
        n.put("inference_mode", true);
        n.put("init_lora_weights", true);
        n.putNull("layer_replication");
        n.putNull("layers_pattern");
        n.putNull("layers_to_transform");
        n.putObject("loftq_config");
        if (c.alpha() == Math.rint(c.alpha())) {
            n.put("lora_alpha", (long) c.alpha()); // PEFT writes 16, not 16.0
        } else {
            n.put("lora_alpha", c.alpha());
        }
        n.put("lora_dropout", c.dropout());
        n.putNull("megatron_config");
        n.put("megatron_core", "megatron.core");
        n.putNull("modules_to_save");
        n.put("peft_type", "LORA");
        n.put("r", c.r());
        n.putObject("rank_pattern");
        n.putNull("revision");
        ArrayNode tm = n.putArray("target_modules");
        c.targetModules().forEach(tm::add);
        n.put("task_type", "CAUSAL_LM");
        n.put("use_dora", false);
        n.put("use_rslora", c.useRslora());
        return Json.write(n);
    }
}
