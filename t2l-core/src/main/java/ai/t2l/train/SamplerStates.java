package ai.t2l.train;

import ai.t2l.io.Json;
import ai.t2l.train.data.Sampler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Sampler positions to and from checkpoint JSON. */
final class SamplerStates {
    private SamplerStates() {}

    static ObjectNode toJson(Sampler.State s) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("rng", s.rng());
        n.put("epoch", s.epoch());
        n.put("position", s.position());
        var order = n.putArray("order");
        for (int i : s.order()) {
            order.add(i);
        }
        return n;
    }

    static Sampler.State fromJson(JsonNode n) {
        int[] order = new int[n.path("order").size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = n.path("order").get(i).asInt();
        }
        return new Sampler.State(n.path("rng").asLong(), n.path("epoch").asInt(), order, n.path("position").asInt());
    }
}
