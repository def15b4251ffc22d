package ai.t2l.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * What a forward pass returns, owned by the manager passed to {@link Transformer#forward}.
 *
 * @param logits       (batch, seq, vocab), or (batch, 1, vocab) with lastOnly
 * @param hiddenStates null unless asked for; else numLayers + 1 arrays (batch, seq, hidden) in HF's convention
 */
public record ForwardOutput(NDArray logits, NDList hiddenStates) {}
