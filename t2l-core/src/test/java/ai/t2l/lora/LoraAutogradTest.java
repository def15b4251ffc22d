package ai.t2l.lora;

import static ai.t2l.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.t2l.Shared;
import ai.t2l.model.ForwardInput;
import ai.t2l.model.Transformer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The unmerged path is plain NDArray ops: gradients reach A and B made elsewhere (as a hypernetwork's outputs). */
class LoraAutogradTest {
    @Test
    void gradientsFlowIntoAdapterArraysAndDropoutIsApplied() {
        int[] ids = {240, 253, 174, 235, 313, 51, 185};
        LoraWeights peft = PeftAdapter.read(Shared.golden("peft", "llama_qv", "adapter"));
        try (Transformer m = Transformer.load(Shared.golden("llama")); NDManager mgr = m.manager().newSubManager()) {
            Map<LoraWeights.Site, LoraBatch.Slot> slots = new LinkedHashMap<>();
            peft.pairs().forEach((site, p) -> {
                NDArray a = mgr.create(p.a().data(), new Shape(1, p.a().shape()[0], p.a().shape()[1]));
                NDArray b = mgr.create(p.b().data(), new Shape(1, p.b().shape()[0], p.b().shape()[1]));
                a.setRequiresGradient(true);
                b.setRequiresGradient(true);
                slots.put(site, new LoraBatch.Slot(a, b, mgr.create((float) peft.config().scaling())));
            });
            LoraBatch lora = LoraBatch.ofArrays(slots);
            try (LoraBatch fromWeights = LoraBatch.shared(m.manager(), peft)) {
                assertClose("ofArrays vs of(weights)", m.logits(ids, fromWeights), m.logits(ids, lora).data(),
                        new long[] {ids.length, m.config().vocabSize()}, 1e-5); // of(weights) sums in Java at inference
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = m.forward(mgr, ForwardInput.of(ids).withLora(lora)).logits();
                gc.backward(logits.mul(logits).mean());
            }
            for (Map.Entry<LoraWeights.Site, LoraBatch.Slot> e : slots.entrySet()) {
                for (NDArray x : new NDArray[] {e.getValue().a(), e.getValue().b()}) {
                    float g = x.getGradient().abs().sum().getFloat();
                    assertTrue(g > 0 && Float.isFinite(g), e.getKey() + ": gradient sum " + g);
                }
            }
            float[] plain = m.logits(ids, lora).data();
            float[] dropped = m.logits(ids, lora.withDropout(0.5f)).data();
            double diff = 0;
            for (int i = 0; i < plain.length; i++) {
                assertTrue(Float.isFinite(dropped[i]), "finite logits with dropout");
                diff = Math.max(diff, Math.abs(plain[i] - dropped[i]));
            }
            assertTrue(diff > 1e-3, "dropout 0.5 on the LoRA input changes the logits (max diff " + diff + ")");
        }
    }
}
