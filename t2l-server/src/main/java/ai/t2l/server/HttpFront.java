package ai.t2l.server;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The one Jetty handler: checks every request ({@link RequestGuard}), reads its body without holding a thread while
 * the bytes arrive (a slow or stalled upload costs memory up to the body limit, never a worker, and is answered 408
 * after the body timeout), then hands it to the bounded worker pool. /health never waits for a worker: it is answered
 * on Jetty's own thread, so it keeps answering while every worker is busy. When the workers and their queue are full,
 * a request is answered 503 at once (load shedding) rather than queued without bound.
 */
final class HttpFront extends Handler.Abstract {
    private static final byte[] EMPTY = new byte[0];

    private final Map<String, ApiHandler> routes; // longest prefix first
    private final RequestGuard guard;
    private final ServerLimits limits;
    private final Drain drain;
    private final ExecutorService workers;
    private final ScheduledExecutorService timer;
    private final Metrics metrics;

    HttpFront(Map<String, ApiHandler> routes, RequestGuard guard, ServerLimits limits, Drain drain,
            ExecutorService workers, ScheduledExecutorService timer, Metrics metrics) {
        this.routes = new LinkedHashMap<>();
        routes.keySet().stream().sorted(Comparator.comparingInt(String::length).reversed())
                .forEach(p -> this.routes.put(p, routes.get(p)));
        this.guard = guard;
        this.limits = limits;
        this.drain = drain;
        this.workers = workers;
        this.timer = timer;
        this.metrics = metrics;
    }

    /** The handler owning a path: the longest matching prefix, as the JDK server's contexts did ("/" catches all). */
    private ApiHandler route(String path) {
        for (Map.Entry<String, ApiHandler> e : routes.entrySet()) {
            if (path.startsWith(e.getKey())) {
                return e.getValue();
            }
        }
        throw new IllegalStateException("no route for " + path + " (the \"/\" route is missing)");
    }

    @Override
    public boolean handle(Request request, Response response, Callback jettyCallback) {
        long t0 = System.nanoTime();
        if (!drain.enter()) {
            reply(route("/"), request, response, jettyCallback, ApiException.unavailable("the server is shutting down"),
                    true, t0);
            return true;
        }
        Callback callback = counted(jettyCallback); // in flight from now until the answer is complete
        String path = request.getHttpURI().getPath();
        ApiHandler handler = route(path == null ? "/" : path);
        boolean hasBody = request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING)
                || request.getLength() > 0;
        try {
            guard.check(request.getMethod(), path, request.getHeaders().get(HttpHeader.HOST),
                    request.getHeaders().get(HttpHeader.ORIGIN), request.getHeaders().get(HttpHeader.AUTHORIZATION),
                    request.getHeaders().get(HttpHeader.CONTENT_TYPE), hasBody);
            if (request.getLength() > limits.maxBodyBytes()) {
                throw ApiException.tooLarge(limits.maxBodyBytes());
            }
        } catch (ApiException e) {
            reply(handler, request, response, callback, e, hasBody, t0);
            return true;
        }
        if (!hasBody) {
            dispatch(handler, request, response, callback, EMPTY, t0);
        } else {
            readBody(handler, request, response, callback, t0);
        }
        return true;
    }

    /** Collects the body chunk by chunk as Jetty delivers it; no thread waits in between. */
    private void readBody(ApiHandler handler, Request request, Response response, Callback callback, long t0) {
        int max = (int) Math.min(Integer.MAX_VALUE - 8, limits.maxBodyBytes());
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        AtomicBoolean settled = new AtomicBoolean();
        ScheduledFuture<?> deadline = timer.schedule(() -> {
            if (settled.compareAndSet(false, true)) {
                reply(handler, request, response, callback, new ApiException(408, "invalid_request_error",
                        "request_timeout", null, "the request body did not arrive within "
                        + limits.bodyTimeoutMs() + " ms"), true, t0);
            }
        }, limits.bodyTimeoutMs(), TimeUnit.MILLISECONDS);
        Runnable reader = new Runnable() {
            @Override
            public void run() {
                while (!settled.get()) {
                    Content.Chunk chunk = request.read();
                    if (chunk == null) {
                        request.demand(this);
                        return;
                    }
                    if (Content.Chunk.isFailure(chunk)) {
                        if (settled.compareAndSet(false, true)) {
                            deadline.cancel(false);
                            callback.failed(chunk.getFailure()); // the client broke the upload: nobody to answer
                        }
                        return;
                    }
                    ByteBuffer b = chunk.getByteBuffer();
                    int n = b.remaining();
                    if (body.size() + (long) n > max) {
                        chunk.release();
                        if (settled.compareAndSet(false, true)) {
                            deadline.cancel(false);
                            reply(handler, request, response, callback, ApiException.tooLarge(max), true, t0);
                        }
                        return;
                    }
                    byte[] bytes = new byte[n];
                    b.get(bytes);
                    body.write(bytes, 0, n);
                    boolean last = chunk.isLast();
                    chunk.release();
                    if (last) {
                        if (settled.compareAndSet(false, true)) {
                            deadline.cancel(false);
                            dispatch(handler, request, response, callback, body.toByteArray(), t0);
                        }
                        return;
                    }
                }
            }
        };
        reader.run();
    }

    private void dispatch(ApiHandler handler, Request request, Response response, Callback callback, byte[] body,
            long t0) {
        // While an endpoint works (a long prompt, a queue wait) the connection is quiet on purpose: only reads and
        // writes that stall may time out, never the thinking in between. Jetty 12.1 already behaves so when no read
        // or write is pending (SlowClientsTest.aSlowAnswerIsNotCutByTheIdleTimeout passes without this line); the
        // listener states the intent and keeps it should that default change.
        request.addIdleTimeoutListener(timeout -> false);
        Runnable task = () -> handler.handle(new Exchange(request, response, callback, body));
        if (handler instanceof HealthHandler) {
            task.run(); // never queued behind work: load balancers must see a live server as live
            return;
        }
        try {
            workers.execute(task);
        } catch (RejectedExecutionException e) {
            reply(handler, request, response, callback, ApiException.unavailable("the server is at its limit of "
                    + limits.requestThreads() + " requests in progress and its queue is full; retry later"), false,
                    t0);
        }
    }

    /** Jetty's callback, also ending this request's count in {@link Drain} (once, however it completes). */
    private Callback counted(Callback callback) {
        AtomicBoolean done = new AtomicBoolean();
        return new Callback() {
            @Override
            public void succeeded() {
                try {
                    callback.succeeded();
                } finally {
                    if (done.compareAndSet(false, true)) {
                        drain.exit();
                    }
                }
            }

            @Override
            public void failed(Throwable x) {
                try {
                    callback.failed(x);
                } finally {
                    if (done.compareAndSet(false, true)) {
                        drain.exit();
                    }
                }
            }

            @Override
            public InvocationType getInvocationType() {
                return callback.getInvocationType();
            }
        };
    }

    /** An error answered without a worker (non-blocking write); closes the connection when a body may be unread. */
    private void reply(ApiHandler handler, Request request, Response response, Callback callback, ApiException e,
            boolean close, long t0) {
        response.setStatus(e.status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        if (e.status == 401) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
        }
        if (e.status == 503) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
        }
        if (close) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        response.write(true, ByteBuffer.wrap(Exchanges.errorJson(e)), callback);
        metrics.request(handler.route(new Exchange(request, response, callback, EMPTY)), request.getMethod(),
                e.status, System.nanoTime() - t0);
    }
}
