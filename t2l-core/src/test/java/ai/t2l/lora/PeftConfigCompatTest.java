package ai.t2l.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.Shared;
import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 11 item 4: the adapter_config.json we write loads in every PEFT since 0.10, and files are 0644. */
class PeftConfigCompatTest {
    @TempDir
    Path tmp;

    private static JsonNode keyTable() throws IOException {
        try (InputStream in = PeftConfigCompatTest.class.getResourceAsStream("/peft/lora-config-keys.json")) {
            return Json.MAPPER.readTree(in);
        }
    }

    private static Set<String> keys(JsonNode n) {
        Set<String> out = new TreeSet<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private Path written(String base) {
        LoraWeights w = PeftAdapter.read(Shared.golden("peft", "llama_qv", "adapter"));
        Path out = tmp.resolve("adapter-" + Math.abs(String.valueOf(base).hashCode()));
        PeftAdapter.write(out, w, base, "a task", false);
        return out;
    }

    @Test
    void writtenConfigHasOnlyKeysEveryPeftSince010Knows() throws IOException {
        Set<String> ours = keys(Json.read(written("meta-llama/Llama-3.2-1B").resolve(PeftAdapter.CONFIG)));
        JsonNode versions = keyTable().get("versions");
        assertTrue(versions.size() >= 10, "table covers 0.10 ... 0.15+");
        List<String> failures = new ArrayList<>();
        versions.fields().forEachRemaining(v -> {
            Set<String> known = new TreeSet<>();
            v.getValue().get("keys").forEach(k -> known.add(k.asText()));
            Set<String> unknown = new TreeSet<>(ours);
            unknown.removeAll(known);
            if (!unknown.isEmpty()) {
                failures.add("PEFT " + v.getKey() + " does not know " + unknown
                        + (v.getValue().get("drops_unknown_keys").asBoolean() ? " (dropped with a warning)"
                                : " (TypeError: the adapter does not load)"));
            }
        });
        assertEquals(List.of(), failures);
        for (String k : List.of("r", "lora_alpha", "use_rslora", "target_modules", "peft_type", "base_model_name_or_path")) {
            assertTrue(ours.contains(k), k);
        }
    }

    /** The embedded miniature's committed adapters (oracles, multi-task) load in PEFT 0.10 too (issue 11 item 4). */
    @Test
    void committedMiniatureAdaptersHaveOnlyPeft010Keys() throws IOException {
        Path mini = null;
        for (Path p = Path.of("").toAbsolutePath(); p != null && mini == null; p = p.getParent()) {
            mini = Files.isDirectory(p.resolve("miniature/oracle")) ? p.resolve("miniature") : null;
        }
        assertTrue(mini != null, "miniature/ not found above the working directory");
        Set<String> known = new TreeSet<>();
        keyTable().get("versions").get("v0.10.0").get("keys").forEach(k -> known.add(k.asText()));
        List<Path> configs;
        try (var files = Files.walk(mini)) {
            configs = files.filter(f -> f.getFileName().toString().equals(PeftAdapter.CONFIG)).toList();
        }
        assertTrue(configs.size() > 100, "oracles and multi-task: " + configs.size());
        for (Path f : configs) {
            JsonNode cfg = Json.read(f);
            Set<String> unknown = new TreeSet<>(keys(cfg));
            unknown.removeAll(known);
            assertEquals(Set.of(), unknown, f.toString());
            JsonNode base = cfg.get("base_model_name_or_path");
            assertTrue(base.isNull() || Path.of(base.asText()).isAbsolute(), f + ": " + base);
        }
    }

    @Test
    void writtenKeysAreThoseOfTheAdaptersPeft0132Wrote() {
        Set<String> golden = keys(Json.read(Shared.golden("peft", "llama_qv", "adapter", PeftAdapter.CONFIG)));
        assertEquals(golden, keys(Json.read(written("llama").resolve(PeftAdapter.CONFIG))));
    }

    @Test
    void filesAreWrittenWithTheUsualPermissions() throws IOException {
        Path out = written("llama");
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
        for (String f : List.of(PeftAdapter.CONFIG, PeftAdapter.WEIGHTS, "task_desc.txt")) {
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve(f))), f);
        }
    }

    @Test
    void baseModelIsAHubIdOrAnAbsolutePathNeverRelative() throws IOException {
        assertEquals("mistralai/Mistral-7B-Instruct-v0.2", BaseModelRef.forConfig("mistralai/Mistral-7B-Instruct-v0.2"));
        String rel = BaseModelRef.forConfig("../../model");
        assertTrue(Path.of(rel).isAbsolute(), rel);
        assertEquals(Path.of("../../model").toAbsolutePath().normalize().toString(), rel);
        assertEquals(null, BaseModelRef.forConfig(""));
        JsonNode cfg = Json.read(written("./some/where").resolve(PeftAdapter.CONFIG));
        assertTrue(Path.of(cfg.get("base_model_name_or_path").asText()).isAbsolute(), cfg.toString());

        Path model = tmp.resolve("model");
        Files.createDirectories(model);
        Files.writeString(model.resolve("config.json"), "{\"_name_or_path\": \"meta-llama/Llama-3.1-8B\"}");
        assertEquals("meta-llama/Llama-3.1-8B", BaseModelRef.of(model, null));
        assertEquals("org/other", BaseModelRef.of(model, "org/other"));
        Files.writeString(model.resolve("config.json"), "{\"_name_or_path\": \"./local/checkpoint-500\"}");
        assertEquals(model.toAbsolutePath().normalize().toString(), BaseModelRef.of(model, null));
        T2lException e = assertThrows(T2lException.class, () -> BaseModelRef.of(model, "../x"));
        assertTrue(e.getMessage().contains("--base-model-id") && e.getMessage().contains("../x"), e.getMessage());
        // a reference checkpoint's recorded hub id wins over a local folder that has none
        assertEquals("mistralai/Mistral-7B-Instruct-v0.2",
                BaseModelRef.choose(null, model, "mistralai/Mistral-7B-Instruct-v0.2"));
        assertEquals(model.toAbsolutePath().normalize().toString(), BaseModelRef.choose(null, model, "../../model"));
    }

    @Test
    void readingIgnoresNewerKeysAtTheirDefaultsAndRefusesOnesThatChangeNumbers() throws IOException {
        Path dir = written("llama");
        ObjectNode cfg = (ObjectNode) Json.read(dir.resolve(PeftAdapter.CONFIG));
        // PEFT 0.18-0.20 write these; at these values they mean plain LoRA
        cfg.put("peft_version", "0.20.0");
        cfg.put("lora_bias", false);
        cfg.putNull("eva_config");
        cfg.putNull("corda_config");
        cfg.putNull("exclude_modules");
        cfg.putNull("trainable_token_indices");
        cfg.putNull("target_parameters");
        cfg.put("use_qalora", false);
        cfg.put("ensure_weight_tying", false);
        cfg.putObject("runtime_config").put("ephemeral_gpu_offload", false);
        cfg.put("some_key_from_the_future", 3);
        Files.writeString(dir.resolve(PeftAdapter.CONFIG), Json.write(cfg));
        assertEquals(8, PeftAdapter.read(dir).config().r());

        for (String[] bad : List.of(new String[] {"lora_bias", "true"}, new String[] {"rank_pattern", "{\"q_proj\": 4}"},
                new String[] {"alpha_pattern", "{\"q_proj\": 4}"}, new String[] {"layers_to_transform", "[0]"},
                new String[] {"trainable_token_indices", "[5, 6]"}, new String[] {"bias", "\"all\""})) {
            ObjectNode c = cfg.deepCopy();
            c.set(bad[0], Json.MAPPER.readTree(bad[1]));
            Files.writeString(dir.resolve(PeftAdapter.CONFIG), Json.write(c));
            T2lException e = assertThrows(T2lException.class, () -> PeftAdapter.read(dir), bad[0]);
            assertTrue(e.getMessage().contains("'" + bad[0] + "'") && e.getMessage().contains(PeftAdapter.CONFIG),
                    e.getMessage());
        }
        assertFalse(cfg.has("does_not_exist"));
    }
}
