package ai.t2l.server;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What every endpoint shares: errors in OpenAI's shape, a request counter and latency per route template, and the
 * exchange closed whatever happens.
 */
abstract class ApiHandler {
    private static final Logger LOG = Logger.getLogger(ApiHandler.class.getName());
    /** Status recorded when the client went away before any answer was sent (nginx's convention). */
    static final int CLIENT_CLOSED = 499;

    protected final Metrics metrics;

    ApiHandler(Metrics metrics) {
        this.metrics = metrics;
    }

    /** Answers the request; throws {@link ApiException} for anything the client did wrong. */
    protected abstract void serve(Exchange ex) throws IOException;

    /** The route template for metrics, e.g. "/v1/adapters/{id}": never the raw path. */
    protected abstract String route(Exchange ex);

    public final void handle(Exchange ex) {
        long t0 = System.nanoTime();
        try {
            serve(ex);
        } catch (ApiException e) {
            fail(ex, e);
        } catch (IllegalArgumentException e) {
            fail(ex, ApiException.badRequest(null, e.getMessage()));
        } catch (IOException e) {
            LOG.log(Level.FINE, "I/O error on " + ex.rawPath() + " (client gone?)", e);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "internal error on " + ex.getRequestMethod() + " " + ex.rawPath(), e);
            fail(ex, ApiException.internal("internal error: " + e));
        } finally {
            int status = ex.getResponseCode() < 0 ? CLIENT_CLOSED : ex.getResponseCode();
            metrics.request(route(ex), ex.getRequestMethod(), status, System.nanoTime() - t0);
            ex.close();
        }
    }

    private static void fail(Exchange ex, ApiException e) {
        if (ex.getResponseCode() >= 0) {
            return; // headers already went out (a stream): the stream reports its own error
        }
        try {
            Exchanges.sendError(ex, e);
        } catch (IOException io) {
            LOG.log(Level.FINE, "could not send error to " + ex.remoteAddress(), io);
        }
    }

    static void requireMethod(Exchange ex, String method) {
        if (!ex.getRequestMethod().equals(method)) {
            throw ApiException.methodNotAllowed(ex.getRequestMethod(), ex.rawPath());
        }
    }
}
