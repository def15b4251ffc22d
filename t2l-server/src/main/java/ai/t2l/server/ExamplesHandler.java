package ai.t2l.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;

/** GET /examples: the web page's example chips for the model being served; empty = the page keeps its own. */
final class ExamplesHandler extends ApiHandler {
    static final String PATH = "/examples";

    private final List<PageExample> examples;

    ExamplesHandler(List<PageExample> examples, Metrics metrics) {
        super(metrics);
        this.examples = List.copyOf(examples);
    }

    @Override
    protected String route(Exchange ex) {
        return ex.rawPath().equals(PATH) ? PATH : "other";
    }

    @Override
    protected void serve(Exchange ex) throws IOException {
        if (!ex.rawPath().equals(PATH)) {
            throw ApiException.notFound("not_found", null, "no such endpoint: " + ex.rawPath());
        }
        requireMethod(ex, "GET");
        ObjectNode out = Exchanges.JSON.createObjectNode();
        out.put("object", "list");
        ArrayNode data = out.putArray("data");
        for (PageExample e : examples) {
            ObjectNode o = data.addObject();
            o.put("label", e.label());
            o.put("description", e.description());
            o.put("prompt", e.prompt());
        }
        Exchanges.sendJson(ex, 200, out);
    }
}
