package ai.t2l.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.Shared;
import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 10 items 8 and 9: adapter_config.json fields that PEFT would honour and we do not implement are refused by
 * name instead of being ignored (the adapter would compute something else than under PEFT), and numbers must be
 * numbers: {@code lora_alpha: "NaN"} once gave an all-NaN adapter and empty text with exit 0.
 */
class PeftConfigStrictTest {
    @TempDir
    Path tmp;

    private Path configWith(String field, String json) throws IOException {
        ObjectNode c = (ObjectNode) Json.read(Shared.golden("peft", "llama_qv", "adapter", PeftAdapter.CONFIG));
        c.set(field, Json.MAPPER.readTree(json));
        Path f = tmp.resolve(PeftAdapter.CONFIG);
        Files.writeString(f, Json.write(c));
        return f;
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
        "rank_pattern        | '{\"q_proj\": 4}'",
        "alpha_pattern       | '{\"q_proj\": 32}'",
        "layers_to_transform | '[0]'",
        "layers_pattern      | '\"layers\"'",
        "modules_to_save     | '[\"lm_head\"]'",
        "layer_replication   | '[[0, 1]]'",
        "bias                | '\"all\"'",
        "bias                | '\"lora_only\"'",
        "use_dora            | true",
        "lora_bias           | true",
        "lora_alpha          | '\"NaN\"'",
        "lora_alpha          | '\"abc\"'",
        "lora_alpha          | '\"16\"'",
        "r                   | 8.7",
        "r                   | '\"8\"'",
        "lora_dropout        | 1.5",
        "use_rslora          | '\"true\"'",
    })
    void unsupportedOrMistypedFieldsAreRefusedByName(String field, String json) throws IOException {
        Path f = configWith(field.trim(), json.trim());
        T2lException e = assertThrows(T2lException.class, () -> PeftAdapter.readConfig(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("'" + field.trim() + "'"),
                e.getMessage());
    }

    /** Issue 10 item 10: a layer number beyond int once escaped as a NumberFormatException. */
    @org.junit.jupiter.api.Test
    void aHugeLayerIndexInATensorNameIsAnError() throws IOException {
        Path dir = tmp.resolve("adapter");
        Files.createDirectories(dir);
        Files.copy(Shared.golden("peft", "llama_qv", "adapter", PeftAdapter.CONFIG), dir.resolve(PeftAdapter.CONFIG));
        java.util.Map<String, ai.t2l.io.FloatTensor> t = new java.util.LinkedHashMap<>();
        for (char ab : new char[] {'A', 'B'}) {
            t.put("base_model.model.model.layers.99999999999.self_attn.q_proj.lora_" + ab + ".weight",
                    new ai.t2l.io.FloatTensor(new float[8 * 4], ab == 'A' ? new long[] {8, 4} : new long[] {4, 8}));
        }
        ai.t2l.io.SafetensorsWriter.write(dir.resolve(PeftAdapter.WEIGHTS), t, null);
        T2lException e = assertThrows(T2lException.class, () -> PeftAdapter.read(dir));
        assertTrue(e.getMessage().contains("names layer 99999999999"), e.getMessage());
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
        "rank_pattern        | '{}'",
        "layers_to_transform | null",
        "modules_to_save     | null",
        "bias                | '\"none\"'",
        "lora_alpha          | 32",
    })
    void defaultsAndEmptyValuesAreAccepted(String field, String json) throws IOException {
        LoraConfig c = PeftAdapter.readConfig(configWith(field.trim(), json.trim()));
        assertEquals(8, c.r());
    }
}
