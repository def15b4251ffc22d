package ai.t2l.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.t2l.Shared;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.Json;
import ai.t2l.io.SafetensorsFile;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Parity of {@link NewModelEncoder} with the goldens computed by new-impl's own modeling code
 * (fixtures/golden/gte_new/README.md; tolerances from there): one sequence at a time, the right-padded batch,
 * every hidden state, CLS pooling and T2L's normalisation, the NTK inverse frequencies.
 */
class NewModelGoldenTest {
    @ParameterizedTest
    @ValueSource(strings = {"tiny_a", "tiny_b"})
    void matchesGoldensAloneAndBatchedWithPadding(String name) {
        Path dir = Shared.golden("gte_new", name);
        JsonNode expected = Json.read(dir.resolve("expected.json"));
        try (NewModelEncoder enc = NewModelEncoder.load(dir);
                SafetensorsFile golden = SafetensorsFile.open(dir.resolve("golden.safetensors"))) {
            close(name + " rope_inv_freq", golden.read("rope_inv_freq").data(), enc.invFreq(), 0, 1e-6);
            int h = enc.config().hiddenSize();
            JsonNode inputs = expected.get("inputs");
            float[] cls = golden.read("cls").data();
            float[] clsNorm = golden.read("cls_normalized").data();
            float[] clsT2l = golden.read("cls_t2l").data();
            for (int i = 0; i < inputs.size(); i++) {
                int[] ids = ints(inputs.get(i).get("input_ids"));
                int[] ones = new int[ids.length];
                java.util.Arrays.fill(ones, 1);
                List<FloatTensor> hs = enc.forward(new int[][] {ids}, new int[][] {ones}, i == 0);
                float[] last = hs.get(hs.size() - 1).data();
                close(name + " last_hidden_state_" + i, golden.read("last_hidden_state_" + i).data(), last, 1e-4, 0);
                if (i == 0) {
                    float[] all = golden.read("hidden_states_0").data();
                    for (int k = 0; k < hs.size(); k++) {
                        float[] want = java.util.Arrays.copyOfRange(all, k * ids.length * h, (k + 1) * ids.length * h);
                        close(name + " hidden_states_0[" + k + "]", want, hs.get(k).data(), 1e-4, 0);
                    }
                }
                float[] pooled = java.util.Arrays.copyOfRange(last, 0, h);
                close(name + " cls " + i, java.util.Arrays.copyOfRange(cls, i * h, (i + 1) * h), pooled, 1e-4, 0);
                float[] t2l = TaskText.normalize(pooled);
                float[] unit = new float[h];
                float scale = (float) Math.sqrt(h);
                for (int j = 0; j < h; j++) {
                    unit[j] = t2l[j] / scale;
                }
                close(name + " cls_normalized " + i, java.util.Arrays.copyOfRange(clsNorm, i * h, (i + 1) * h), unit,
                        1e-5, 0);
                close(name + " cls_t2l " + i, java.util.Arrays.copyOfRange(clsT2l, i * h, (i + 1) * h), t2l, 1e-4, 0);
            }
            JsonNode batch = expected.get("batch");
            int[][] bIds = rows(batch.get("input_ids"));
            int[][] bMask = rows(batch.get("attention_mask"));
            float[] out = enc.forward(bIds, bMask, false).get(0).data();
            int seq = bIds[0].length;
            for (int i = 0; i < bIds.length; i++) {
                int len = inputs.get(i).get("length").asInt();
                float[] got = java.util.Arrays.copyOfRange(out, i * seq * h, (i * seq + len) * h);
                close(name + " batch_last_hidden_state_" + i, golden.read("batch_last_hidden_state_" + i).data(), got,
                        1e-4, 0);
            }
        }
    }

    private static void close(String what, float[] want, float[] got, double atol, double rtol) {
        assertEquals(want.length, got.length, what + ": length");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < want.length; i++) {
            double err = Math.abs(want[i] - got[i]) - rtol * Math.abs(want[i]);
            if (err > worst) {
                worst = err;
                at = i;
            }
        }
        if (worst > atol) {
            throw new AssertionError(what + ": element " + at + " is " + got[at] + ", golden " + want[at]
                    + " (excess " + worst + " over atol " + atol + ", rtol " + rtol + ")");
        }
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    private static int[][] rows(JsonNode a) {
        int[][] out = new int[a.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = ints(a.get(i));
        }
        return out;
    }
}
