package ai.t2l.model;

/** Llama-3.1 style rope scaling ({@code rope_type: llama3}); other types are refused when the config is read. */
public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
        int originalMaxPositionEmbeddings) {}
