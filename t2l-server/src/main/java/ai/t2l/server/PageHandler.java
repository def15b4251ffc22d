package ai.t2l.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * GET / serves the web page (one self-contained HTML file from the classpath). Being the "/" context it also sees
 * every path no other endpoint claims, and answers those with an OpenAI-shaped 404.
 */
final class PageHandler extends ApiHandler {
    static final String RESOURCE = "index.html";
    /** The page must work offline: forbid anything that is not from this server. */
    static final String CSP = "default-src 'self'; script-src 'self' 'unsafe-inline'; "
            + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'";

    private final byte[] page;

    PageHandler(Metrics metrics) {
        super(metrics);
        try (InputStream in = PageHandler.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource ai/t2l/server/" + RESOURCE + " is missing from the jar");
            }
            page = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected String route(Exchange ex) {
        String p = ex.rawPath();
        return p.equals("/") || p.equals("/index.html") ? "/" : "other";
    }

    @Override
    protected void serve(Exchange ex) throws IOException {
        if (route(ex).equals("other")) {
            throw ApiException.notFound("not_found", null, "no such endpoint: " + ex.rawPath());
        }
        requireMethod(ex, "GET");
        ex.setResponseHeader("Content-Security-Policy", CSP);
        ex.setResponseHeader("X-Content-Type-Options", "nosniff");
        ex.setResponseHeader("Cache-Control", "no-cache");
        Exchanges.send(ex, 200, "text/html; charset=utf-8", page);
    }
}
