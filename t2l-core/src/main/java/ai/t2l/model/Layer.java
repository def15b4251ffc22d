package ai.t2l.model;

import ai.djl.ndarray.NDArray;
import ai.t2l.compute.WeightMatrix;
import java.util.Map;

/**
 * One decoder layer's weights: projections in the model's precision, norms and biases as float32 engine arrays. Projections are HF's (out, in) matrices; norm weights already
 * include the family's offset (Gemma 2: 1 + w).
 *
 * @param projections     q_proj ... down_proj -> (out, in)
 * @param biases          the projections that have one -> (out)
 * @param postAttnNorm    null unless the family normalises the attention output (Gemma 2)
 * @param postMlpNorm     null unless the family normalises the MLP output (Gemma 2)
 */
record Layer(Map<String, WeightMatrix> projections, Map<String, NDArray> biases, NDArray inputNorm,
        NDArray postAttnNorm, NDArray preMlpNorm, NDArray postMlpNorm) {}
