package ai.t2l.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** GET /metrics in the Prometheus text exposition format. */
final class MetricsHandler extends ApiHandler {
    private final AdapterCache cache;

    MetricsHandler(AdapterCache cache, Metrics metrics) {
        super(metrics);
        this.cache = cache;
    }

    @Override
    protected String route(Exchange ex) {
        return "/metrics";
    }

    @Override
    protected void serve(Exchange ex) throws IOException {
        if (!ex.rawPath().equals("/metrics")) {
            throw ApiException.notFound("not_found", null, "no such endpoint: " + ex.rawPath());
        }
        requireMethod(ex, "GET");
        Exchanges.send(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                metrics.render(cache).getBytes(StandardCharsets.UTF_8));
    }
}
