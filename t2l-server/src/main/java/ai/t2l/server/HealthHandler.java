package ai.t2l.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/** GET /health: liveness plus what is loaded, for load balancers and people. */
final class HealthHandler extends ApiHandler {
    private final String baseModel;
    private final String checkpoint;
    private final AdapterCache cache;

    HealthHandler(String baseModel, String checkpoint, AdapterCache cache, Metrics metrics) {
        super(metrics);
        this.baseModel = baseModel;
        this.checkpoint = checkpoint;
        this.cache = cache;
    }

    @Override
    protected String route(Exchange ex) {
        return "/health";
    }

    @Override
    protected void serve(Exchange ex) throws IOException {
        if (!ex.rawPath().equals("/health")) {
            throw ApiException.notFound("not_found", null, "no such endpoint: " + ex.rawPath());
        }
        requireMethod(ex, "GET");
        ObjectNode o = Exchanges.JSON.createObjectNode();
        o.put("status", "ok");
        o.put("base_model", baseModel);
        o.put("checkpoint", checkpoint);
        o.put("adapters_cached", cache.residentCount());
        o.put("adapters_known", cache.knownCount());
        Exchanges.sendJson(ex, 200, o);
    }
}
