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

    /**
     * PEFT LoraConfig fields that change which weights exist or what the forward pass computes and that we do not
     * implement: each is refused by name when set, never silently ignored (a PEFT-loaded adapter would differ).
     * Fields that only matter when training starts (init_lora_weights, loftq_config, eva_config, corda_config) or
     * that name the base model are read by no one and need no check.
     */
    private static final List<String> UNSUPPORTED_WHEN_SET = List.of("rank_pattern", "alpha_pattern",
            "layers_to_transform", "layers_pattern", "modules_to_save", "layer_replication", "exclude_modules",
            "trainable_token_indices", "target_parameters", "alora_invocation_tokens", "arrow_config");

    public static LoraConfig readConfig(Path configFile) {
        JsonNode c = Json.read(configFile);
        if (!c.isObject()) {
            throw new T2lException(configFile + ": expected a JSON object, found " + c.getNodeType());
        }
        String peftType = text(c, "peft_type", "LORA", configFile);
        if (!peftType.equals("LORA")) {
            throw new T2lException(configFile + ": field 'peft_type' is '" + peftType + "', expected 'LORA'");
        }
        if (bool(c, "use_dora", configFile)) {
            throw new T2lException(configFile + ": field 'use_dora' is true; DoRA adapters are not supported");
        }
        if (bool(c, "fan_in_fan_out", configFile)) {
            throw new T2lException(configFile + ": field 'fan_in_fan_out' is true; only Linear (not Conv1D) LoRA is supported");
        }
        if (bool(c, "lora_bias", configFile)) {
            throw new T2lException(configFile + ": field 'lora_bias' is true; LoRA B biases are not supported");
        }
        if (bool(c, "use_bdlora", configFile)) {
            throw new T2lException(configFile + ": field 'use_bdlora' is true; only plain LoRA is supported");
        }
        if (bool(c, "use_qalora", configFile)) {
            throw new T2lException(configFile + ": field 'use_qalora' is true; QA-LoRA is not supported");
        }
        String bias = text(c, "bias", "none", configFile);
        if (!bias.equals("none")) {
            throw new T2lException(configFile + ": field 'bias' is '" + bias
                    + "'; only 'none' is supported (trained biases of the base model are not applied)");
        }
        for (String field : UNSUPPORTED_WHEN_SET) {
            JsonNode n = c.get(field);
            boolean set = n != null && !n.isNull() && !(n.isContainerNode() && n.isEmpty())
                    && !(n.isTextual() && n.asText().isEmpty());
            if (set) {
                throw new T2lException(configFile + ": field '" + field + "' is " + n
                        + "; it is not supported (expected null or empty), so this adapter cannot be applied as PEFT would");
            }
        }
        JsonNode r = c.get("r");
        if (r == null || !r.isIntegralNumber() || !r.canConvertToInt() || r.asInt() <= 0) {
            throw new T2lException(configFile + ": field 'r' must be a positive integer, found " + r);
        }
        double alpha = number(c, "lora_alpha", 8, configFile);
        double dropout = number(c, "lora_dropout", 0, configFile);
        if (dropout < 0 || dropout >= 1) {
            throw new T2lException(configFile + ": field 'lora_dropout' must be in [0, 1), found " + dropout);
        }
        JsonNode tm = c.get("target_modules");
        List<String> modules = new ArrayList<>();
        if (tm != null && tm.isArray()) {
            for (JsonNode n : tm) {
                if (!n.isTextual()) {
                    throw new T2lException(configFile + ": field 'target_modules' must hold module names, found " + n);
                }
                modules.add(n.asText());
            }
        } else if (tm != null && tm.isTextual()) {
            modules.add(tm.asText());
        } else {
            throw new T2lException(configFile + ": field 'target_modules' must be a list of module names, found " + tm);
        }
        modules.forEach(PeftAdapter::parentOf);
        return new LoraConfig(r.asInt(), alpha, bool(c, "use_rslora", configFile), dropout, modules);
    }

    /** A finite JSON number (not a string such as "NaN" or "abc"), or {@code dflt} when absent. */
    private static double number(JsonNode c, String field, double dflt, Path file) {
        JsonNode n = c.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isNumber() || !Double.isFinite(n.asDouble())) {
            throw new T2lException(file + ": field '" + field + "' must be a finite number, found " + n);
        }
        return n.asDouble();
    }

    /** true or false (not "true" or 1); false when absent or null. */
    private static boolean bool(JsonNode c, String field, Path file) {
        JsonNode n = c.get(field);
        if (n == null || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            throw new T2lException(file + ": field '" + field + "' must be true or false, found " + n);
        }
        return n.asBoolean();
    }

    private static String text(JsonNode c, String field, String dflt, Path file) {
        JsonNode n = c.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isTextual()) {
            throw new T2lException(file + ": field '" + field + "' must be a string, found " + n);
        }
        return n.asText();
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
                parts.computeIfAbsent(new LoraWeights.Site(layerIndex(weights, name, m.group(1)), module),
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

    /** The layer number of a tensor name; one beyond any model's depth would otherwise be a NumberFormatException. */
    private static int layerIndex(Path weights, String name, String digits) {
        if (digits.length() > 6) {
            throw new T2lException(weights + ": tensor '" + name + "' names layer " + digits
                    + "; no supported model has that many layers");
        }
        return Integer.parseInt(digits);
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
