package ai.t2l.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.Shared;
import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 10 item 7: every config.json field is refused by name when its type or range is wrong, before anything
 * is computed from it. Each row once parsed fine and then hung (10^9 layers), overflowed an int, or gave
 * all-NaN logits (rope_theta 0, negative eps, rope factor 0, no positions).
 */
class ConfigRangeTest {
    private static ModelConfig parseWith(String path, String json) {
        ObjectNode c = (ObjectNode) Json.read(Shared.golden("llama", "config.json")).deepCopy();
        JsonNode value;
        try {
            value = Json.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        String[] p = path.split("\\.");
        ObjectNode parent = p.length == 2 ? (ObjectNode) c.get(p[0]) : c;
        parent.set(p[p.length - 1], value);
        return ModelConfig.parse(c, "config.json");
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
        "num_hidden_layers         | 1000000000 | [1, 1024]",
        "num_hidden_layers         | 2.5        | integer",
        "num_hidden_layers         | '\"2\"'    | integer",
        "head_dim                  | 1000000000 | [1, 4096]",
        "hidden_size               | 0          | [1, 65536]",
        "vocab_size                | -3         | [1,",
        "num_key_value_heads       | 3          | multiple",
        "num_key_value_heads       | 8          | [1, 4]",
        "rope_theta                | 0          | > 0",
        "rope_theta                | -10000     | > 0",
        "rope_theta                | '\"NaN\"'  | number",
        "rms_norm_eps              | -1e-6      | > 0",
        "max_position_embeddings   | 0          | [1,",
        "max_position_embeddings   | -5         | [1,",
        "rope_scaling.factor       | 0          | rope_scaling",
        "rope_scaling.factor       | 0.5        | >= 1",
        "rope_scaling.high_freq_factor | 0.5    | greater than",
        "tie_word_embeddings       | '\"yes\"'  | true or false",
        "eos_token_id              | 320        | [0, 319]",
        "bos_token_id              | -1         | [0, 319]",
        "hidden_act                | 7          | string",
    })
    void outOfRangeOrWronglyTypedFieldsAreRefusedByName(String field, String json, String expect) {
        T2lException e = assertThrows(T2lException.class, () -> parseWith(field.trim(), json.trim()));
        String leaf = field.trim().substring(field.trim().lastIndexOf('.') + 1);
        assertTrue(e.getMessage().startsWith("config.json") && e.getMessage().contains(leaf)
                && e.getMessage().contains(expect.trim()), e.getMessage());
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
        "num_hidden_layers | 126", // Llama 3.1 405B
        "pad_token_id      | -1",  // old LLaMA conversions: no pad token
        "rope_theta        | 1e9",
    })
    void realisticValuesStillParse(String field, String json) {
        ModelConfig c = parseWith(field.trim(), json.trim());
        assertEquals(Json.read(Shared.golden("llama", "config.json")).get("hidden_size").asInt(), c.hiddenSize());
    }
}
