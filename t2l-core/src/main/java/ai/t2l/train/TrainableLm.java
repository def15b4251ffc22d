package ai.t2l.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.t2l.model.RowGather;

/**
 * What the trainers need from a causal language model. The runtime's Transformer implements it through a small
 * adapter; tests use tiny models made in code. With right padding and causal attention no attention mask is needed:
 * padding only ever sits after the tokens that are scored.
 */
public interface TrainableLm {
    int numLayers();

    int hiddenSize();

    int vocabSize();

    /** {in, out} features of an adaptable projection such as q_proj. */
    int[] moduleDims(String module);

    DataType dataType();

    /**
     * @param inputIds       (batch, seq) integer token ids
     * @param lora           per-row adapters added to the adapted projections, or null
     * @param embeddingNoise (batch, seq, hidden) added to the input embeddings (NEFTune), or null
     * @return logits (batch, seq, vocab)
     */
    NDArray logits(NDArray inputIds, GeneratedLora lora, NDArray embeddingNoise);

    /**
     * The logits of positions b·seq + t only, as (rows.length, vocab): what a loss reads when most positions have no
     * target. This default computes every position and keeps the rows; a model may skip the LM head on the others.
     */
    default NDArray logitsAt(NDArray inputIds, GeneratedLora lora, NDArray embeddingNoise, int[] rows) {
        return RowGather.of(inputIds.getManager(), logits(inputIds, lora, embeddingNoise), rows);
    }

    /** The base weights as trainable parameters, for full-parameter training; adapters leave them frozen. */
    ParamSet weights();
}
