package ai.t2l.hypernet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.t2l.lora.LoraConfig;
import ai.t2l.lora.LoraWeights;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The profile `t2l bench generate` prints: a generation call with a recorder passes through every phase, and
 * recording changes nothing in the adapters.
 */
class GenerationPhasesTest {
    @Test
    void everyPhaseIsTimedAndTheAdaptersAreTheSame() {
        HyperConfig c = HyperConfig.builder().lora(new LoraConfig(2, 4, true, 0, List.of("q_proj", "v_proj")))
                .module("q_proj", 8, 8).module("v_proj", 8, 4).numLayers(3).taskEmbDim(4).latentSize(8).headInSize(8)
                .trainingTask(TrainingTask.SFT).build();
        try (NDManager m = NDManager.newBaseManager(); HyperModulator h = HyperModulator.create(c, 1, m)) {
            List<float[]> embs = List.of(new float[] {1, 2, 3, 4}, new float[] {4, 3, 2, 1});
            GenerationPhases phases = new GenerationPhases();
            List<LoraWeights> timed = h.generate(embs, phases);
            for (GenerationPhases.Phase p : GenerationPhases.Phase.values()) {
                assertTrue(phases.millis(p) > 0, p + " was not timed");
            }
            List<LoraWeights> plain = h.generate(embs);
            for (int t = 0; t < embs.size(); t++) {
                for (var e : plain.get(t).pairs().entrySet()) {
                    LoraWeights.Pair got = timed.get(t).pairs().get(e.getKey());
                    assertArrayEquals(e.getValue().a().data(), got.a().data(), e.getKey() + " A");
                    assertArrayEquals(e.getValue().b().data(), got.b().data(), e.getKey() + " B");
                }
            }
            phases.reset();
            assertEquals(0.0, phases.millis(GenerationPhases.Phase.HEADS));
        }
    }
}
