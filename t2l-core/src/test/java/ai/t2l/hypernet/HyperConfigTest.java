package ai.t2l.hypernet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.t2l.io.Json;
import ai.t2l.model.ModelConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parameter counts of T2L-SPEC §2.10 from configs alone: nothing of size 7B (or 55M) is allocated. */
class HyperConfigTest {
    static final String MISTRAL_7B = "{\"model_type\":\"mistral\",\"vocab_size\":32000,\"hidden_size\":4096,"
            + "\"intermediate_size\":14336,\"num_hidden_layers\":32,\"num_attention_heads\":32,"
            + "\"num_key_value_heads\":8,\"sliding_window\":null}";
    static final String GEMMA2_2B = "{\"model_type\":\"gemma2\",\"vocab_size\":256000,\"hidden_size\":2304,"
            + "\"intermediate_size\":9216,\"num_hidden_layers\":26,\"num_attention_heads\":8,"
            + "\"num_key_value_heads\":4,\"head_dim\":256}";

    @ParameterizedTest(name = "{0} {1}/{2} {3} {4}")
    @CsvSource({
        "mistral, 128, 512, SFT, L, 55424000",
        "mistral, 128, 512, SFT, M, 34412288",
        "mistral, 128, 512, SFT, S, 4994816",
        "mistral, 128, 512, RECON, L, 55317504",
        "mistral, 128, 512, RECON, M, 34346752",
        "mistral, 128, 512, RECON, S, 4986624",
        "mistral, 512, 2048, SFT, L, 230027264",
        "mistral, 512, 2048, SFT, M, 146103296",
        "mistral, 512, 2048, SFT, S, 28605440",
        "gemma2, 512, 2048, SFT, L, 137706752",
        "gemma2, 512, 2048, SFT, M, 87353600",
        "gemma2, 512, 2048, SFT, S, 21261056",
        "gemma2, 128, 512, SFT, L, 32310080",
        "gemma2, 128, 512, SFT, M, 19703360",
        "gemma2, 128, 512, SFT, S, 3156032",
    })
    void reproducesTheSpecTable(String model, int latent, int headIn, TrainingTask task, Variant v, long expected)
            throws Exception {
        ModelConfig m = ModelConfig.parse(Json.MAPPER.readTree(model.equals("mistral") ? MISTRAL_7B : GEMMA2_2B), model);
        HyperConfig c = HyperConfig.builder().variant(v).latentSize(latent).headInSize(headIn).taskEmbDim(1024)
                .trainingTask(task).predZScore(true).dimsFrom(m).build();
        assertEquals(expected, c.parameterCount());
    }

    @ParameterizedTest
    @CsvSource({"L, 791552", "M, 792320", "S, 792320"})
    void bodyWithoutHeadsMatchesTheSpec(Variant v, long body) throws Exception {
        ModelConfig m = ModelConfig.parse(Json.MAPPER.readTree(MISTRAL_7B), "mistral");
        HyperConfig c = HyperConfig.builder().variant(v).taskEmbDim(1024).dimsFrom(m).build();
        long heads = c.parameterShapes().entrySet().stream().filter(e -> e.getKey().startsWith("heads."))
                .mapToLong(e -> ai.t2l.io.FloatTensor.numel(e.getValue())).sum();
        assertEquals(body, c.parameterCount() - heads);
    }
}
