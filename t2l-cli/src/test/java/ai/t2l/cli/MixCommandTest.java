package ai.t2l.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.io.Json;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code t2l mix}: the reference's lora_mixing on PEFT folders (issue 12 item 13). */
class MixCommandTest {
    @TempDir
    Path tmp;

    static Path golden(String task) {
        return Paths.get(System.getProperty("t2l.shared"), "fixtures", "golden", "t2l", "L_384", "expected", task);
    }

    @Test
    void mixesTwoAdaptersAAndBSeparatelyKeepingTheFirstConfig() throws Exception {
        Path out = tmp.resolve("mixed");
        TinyWorld.Run r = TinyWorld.run("mix", "--adapter", golden("task0").toString(), "--adapter",
                golden("task1").toString(), "--weights", "0.25,0.75", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        LoraWeights a = PeftAdapter.read(golden("task0"));
        LoraWeights b = PeftAdapter.read(golden("task1"));
        LoraWeights m = PeftAdapter.read(out);
        a.pairs().forEach((site, p) -> {
            float[] want = new float[p.a().data().length];
            for (int i = 0; i < want.length; i++) {
                want[i] = 0.25f * p.a().data()[i] + 0.75f * b.pairs().get(site).a().data()[i];
            }
            assertArrayEquals(want, m.pairs().get(site).a().data(), 1e-6f, "A of " + site);
        });
        assertEquals(Json.read(golden("task0").resolve(PeftAdapter.CONFIG)).get("base_model_name_or_path"),
                Json.read(out.resolve(PeftAdapter.CONFIG)).get("base_model_name_or_path"));
    }

    @Test
    void wrongNumberOfWeightsIsAClearErrorAndWritesNothing() {
        Path out = tmp.resolve("none");
        TinyWorld.Run r = TinyWorld.run("mix", "--adapter", golden("task0").toString(), "--adapter",
                golden("task1").toString(), "--weights", "1", "--out", out.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("2 adapters but 1 weights"), r.err());
        assertFalse(Files.exists(out));
    }
}
