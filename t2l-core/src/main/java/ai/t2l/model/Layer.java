package ai.t2l.model;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * One decoder layer's weights as engine arrays. Projections are HF's (out, in) matrices; norm weights already
 * include the family's offset (Gemma 2: 1 + w).
 *
 * @param projections     q_proj ... down_proj -> (out, in)
 * @param biases          the projections that have one -> (out)
 * @param postAttnNorm    null unless the family normalises the attention output (Gemma 2)
 * @param postMlpNorm     null unless the family normalises the MLP output (Gemma 2)
 */
record Layer(Map<String, NDArray> projections, Map<String, NDArray> biases, NDArray inputNorm,
        NDArray postAttnNorm, NDArray preMlpNorm, NDArray postMlpNorm) {}
