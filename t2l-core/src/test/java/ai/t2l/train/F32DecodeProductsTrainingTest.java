package ai.t2l.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.t2l.compute.F32Matrix;
import ai.t2l.model.ForwardInput;
import ai.t2l.model.ModelConfig;
import ai.t2l.model.Transformer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Float32 products of a few rows run on a Java kernel at inference (F32Matrix); a training step must not notice. A
 * sequence of 6 tokens is within that kernel's row limit, and with only the projections trainable the first layer's
 * q/k/v inputs carry no gradient: only the weights' own gradient flag keeps those products on the engine.
 */
class F32DecodeProductsTrainingTest {
    @Test
    void trainingStepGradientsAreThoseOfTheEngineProducts() {
        assumeTrue(F32Matrix.javaKernelAvailable(), "no vector kernel in this JVM (needs jdk.incubator.vector)");
        ModelConfig c = TrainBaseModelTest.tiny("llama");
        int[][] ids = {{1, 5, 9, 4, 7, 2}};
        try (Transformer model = RandomModel.create(c, 3); NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> projections = new LinkedHashMap<>();
            model.parameters().forEach((name, a) -> {
                if (name.endsWith("_proj.weight")) {
                    projections.put(name, a);
                }
            });
            ParamSet weights = ParamSet.wrap(model.manager(), projections);
            try {
                Map<String, float[]> engine = F32Matrix.withJavaRows(0, () -> gradients(weights, m, model, ids));
                Map<String, float[]> allowed = F32Matrix.withJavaRows(16, () -> gradients(weights, m, model, ids));
                assertFalse(engine.isEmpty());
                engine.forEach((name, g) -> assertArrayEquals(g, allowed.get(name), 0f, "gradient of " + name));
            } finally {
                model.parameters().values().forEach(p -> p.setRequiresGradient(false));
            }
        }
    }

    private static Map<String, float[]> gradients(ParamSet params, NDManager m, Transformer model, int[][] ids) {
        try (NDManager scope = params.scope(m); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(model.forward(scope, ForwardInput.of(ids)).logits().square().mean());
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager scope = params.scope(m)) {
            for (String name : params.names()) {
                out.put(name, params.grad(name).toFloatArray());
            }
        }
        params.zeroGrad();
        return out;
    }
}
