package ai.t2l.server;

/**
 * What the server knows about one adapter, whether its weights are in memory or only in the persistence folder.
 *
 * @param created      Unix seconds
 * @param generationMs how long the hypernetwork took when the adapter was first generated
 * @param bytes        float32 size of its weights: what it costs in the cache budget
 */
record AdapterInfo(String id, String description, String checkpointId, long created, long generationMs,
        long bytes) {}
