package ai.t2l.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.t2l.Shared;
import org.junit.jupiter.api.Test;

/**
 * NEFTune's hook sits on the output of {@code get_input_embeddings()} (the reference's
 * {@code trl_activate_neftune}, hm/sft_trainer.py), and Gemma2Model multiplies by √hidden after it: noise added
 * there ends up √hidden times larger in the residual stream than noise added after the scale (issue 12 item 3).
 */
class EmbeddingHookPlacementTest {
    @Test
    void gemma2HookSeesEmbeddingsBeforeTheSqrtHiddenNormaliser() {
        try (Transformer model = Transformer.load(Shared.golden("gemma2"));
                NDManager m = NDManager.newBaseManager()) {
            int[][] ids = {{2, 5, 9, 11}};
            NDArray plain = model.forward(m, ForwardInput.of(ids).withHiddenStates()).hiddenStates().get(0);
            NDArray hooked = model.forward(m, ForwardInput.of(ids).withHiddenStates()
                    .withEmbeddingHook(h -> h.add(1f))).hiddenStates().get(0);
            float[] diff = hooked.sub(plain).toFloatArray();
            float expected = (float) Math.sqrt(model.config().hiddenSize());
            for (int i = 0; i < diff.length; i++) {
                assertEquals(expected, diff[i], 1e-3 * expected, "embedding element " + i
                        + ": a +1 from the hook must reach the stream as +sqrt(hidden)");
            }
        }
    }
}
