package ai.t2l.train.run;

import ai.t2l.io.FloatTensor;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * Everything a run needs to continue exactly: trainable weights, optimiser moments, and the trainer's state (step,
 * RNG states, sampler position, early-stopping bookkeeping) as JSON.
 */
public record Checkpoint(long step, Map<String, FloatTensor> params, Map<String, FloatTensor> optimizer,
        ObjectNode state) {}
