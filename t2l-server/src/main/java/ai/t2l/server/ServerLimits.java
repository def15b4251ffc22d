package ai.t2l.server;

/**
 * Every limit the server enforces, each answered with a clear 4xx when exceeded. Start from {@link #defaults()} and
 * change what you need with the {@code withX} methods.
 *
 * @param maxBodyBytes                  request bodies above this are refused with 413
 * @param maxDescriptionChars           longer task descriptions are refused with 400
 * @param maxTokens                     a larger max_tokens is refused with 400
 * @param defaultMaxTokens              max_tokens when the request gives none
 * @param maxConcurrentGenerations      adapter generations (hypernetwork) running at once
 * @param maxQueuedGenerations          adapter generations waiting for a slot; one more is refused with 429
 * @param maxConcurrentCompletions      chat/text completions running at once
 * @param maxQueuedCompletions          completions waiting for a slot; one more is refused with 429
 * @param requestThreads                worker threads for requests whose body has arrived (streams hold one for
 *                                      their whole length); when all are busy and the queue is full: 503
 * @param maxConnections                open connections; one more is answered 503 and closed at once
 * @param maxHeaderBytes                request line + headers; more is answered 431
 * @param idleTimeoutMs                 a connection silent this long (e.g. half-sent headers, idle keep-alive)
 *                                      is closed; headers that are still arriving never hold a thread
 * @param bodyTimeoutMs                 a request body not complete this long after its headers is answered 408
 */
public record ServerLimits(long maxBodyBytes, int maxDescriptionChars, int maxTokens, int defaultMaxTokens,
        int maxConcurrentGenerations, int maxQueuedGenerations, int maxConcurrentCompletions,
        int maxQueuedCompletions, int requestThreads, int maxConnections, int maxHeaderBytes, long idleTimeoutMs,
        long bodyTimeoutMs) {

    public ServerLimits {
        positive("maxBodyBytes", maxBodyBytes);
        positive("maxDescriptionChars", maxDescriptionChars);
        positive("maxTokens", maxTokens);
        positive("defaultMaxTokens", defaultMaxTokens);
        positive("maxConcurrentGenerations", maxConcurrentGenerations);
        positive("maxConcurrentCompletions", maxConcurrentCompletions);
        positive("requestThreads", requestThreads);
        positive("maxConnections", maxConnections);
        positive("maxHeaderBytes", maxHeaderBytes);
        positive("idleTimeoutMs", idleTimeoutMs);
        positive("bodyTimeoutMs", bodyTimeoutMs);
        if (maxQueuedGenerations < 0 || maxQueuedCompletions < 0) {
            throw new IllegalArgumentException("queue limits must be >= 0");
        }
        if (defaultMaxTokens > maxTokens) {
            throw new IllegalArgumentException(
                    "defaultMaxTokens " + defaultMaxTokens + " exceeds maxTokens " + maxTokens);
        }
    }

    public static ServerLimits defaults() {
        // Requests waiting at a gate hold a worker thread: running + queued of both gates (2+16 + 8+32 = 58)
        // stays below requestThreads (64) so /health and /metrics still get a thread under overload.
        // Connections cost no thread until their headers are complete (Jetty parses them without blocking), so the
        // connection limit can be far above the thread count; 16 KiB of headers is what nginx allows by default.
        return new ServerLimits(1 << 20, 2000, 4096, 512, 2, 16, 8, 32, 64, 1024, 16 << 10, 30_000, 30_000);
    }

    public ServerLimits withMaxBodyBytes(long v) {
        return new ServerLimits(v, maxDescriptionChars, maxTokens, defaultMaxTokens, maxConcurrentGenerations,
                maxQueuedGenerations, maxConcurrentCompletions, maxQueuedCompletions, requestThreads, maxConnections,
                maxHeaderBytes, idleTimeoutMs, bodyTimeoutMs);
    }

    public ServerLimits withMaxDescriptionChars(int v) {
        return new ServerLimits(maxBodyBytes, v, maxTokens, defaultMaxTokens, maxConcurrentGenerations,
                maxQueuedGenerations, maxConcurrentCompletions, maxQueuedCompletions, requestThreads, maxConnections,
                maxHeaderBytes, idleTimeoutMs, bodyTimeoutMs);
    }

    /** Also lowers the default max_tokens when it would exceed the new maximum. */
    public ServerLimits withMaxTokens(int v) {
        return new ServerLimits(maxBodyBytes, maxDescriptionChars, v, Math.min(defaultMaxTokens, v),
                maxConcurrentGenerations, maxQueuedGenerations, maxConcurrentCompletions, maxQueuedCompletions,
                requestThreads, maxConnections, maxHeaderBytes, idleTimeoutMs, bodyTimeoutMs);
    }

    public ServerLimits withDefaultMaxTokens(int v) {
        return new ServerLimits(maxBodyBytes, maxDescriptionChars, maxTokens, v, maxConcurrentGenerations,
                maxQueuedGenerations, maxConcurrentCompletions, maxQueuedCompletions, requestThreads, maxConnections,
                maxHeaderBytes, idleTimeoutMs, bodyTimeoutMs);
    }

    public ServerLimits withGenerations(int concurrent, int queued) {
        return new ServerLimits(maxBodyBytes, maxDescriptionChars, maxTokens, defaultMaxTokens, concurrent, queued,
                maxConcurrentCompletions, maxQueuedCompletions, requestThreads, maxConnections, maxHeaderBytes,
                idleTimeoutMs, bodyTimeoutMs);
    }

    public ServerLimits withCompletions(int concurrent, int queued) {
        return new ServerLimits(maxBodyBytes, maxDescriptionChars, maxTokens, defaultMaxTokens,
                maxConcurrentGenerations, maxQueuedGenerations, concurrent, queued, requestThreads, maxConnections,
                maxHeaderBytes, idleTimeoutMs, bodyTimeoutMs);
    }

    public ServerLimits withRequestThreads(int v) {
        return new ServerLimits(maxBodyBytes, maxDescriptionChars, maxTokens, defaultMaxTokens,
                maxConcurrentGenerations, maxQueuedGenerations, maxConcurrentCompletions, maxQueuedCompletions, v,
                maxConnections, maxHeaderBytes, idleTimeoutMs, bodyTimeoutMs);
    }

    public ServerLimits withMaxConnections(int v) {
        return new ServerLimits(maxBodyBytes, maxDescriptionChars, maxTokens, defaultMaxTokens,
                maxConcurrentGenerations, maxQueuedGenerations, maxConcurrentCompletions, maxQueuedCompletions,
                requestThreads, v, maxHeaderBytes, idleTimeoutMs, bodyTimeoutMs);
    }

    public ServerLimits withMaxHeaderBytes(int v) {
        return new ServerLimits(maxBodyBytes, maxDescriptionChars, maxTokens, defaultMaxTokens,
                maxConcurrentGenerations, maxQueuedGenerations, maxConcurrentCompletions, maxQueuedCompletions,
                requestThreads, maxConnections, v, idleTimeoutMs, bodyTimeoutMs);
    }

    /** Connection idle timeout and request-body timeout, in milliseconds. */
    public ServerLimits withTimeouts(long idleMs, long bodyMs) {
        return new ServerLimits(maxBodyBytes, maxDescriptionChars, maxTokens, defaultMaxTokens,
                maxConcurrentGenerations, maxQueuedGenerations, maxConcurrentCompletions, maxQueuedCompletions,
                requestThreads, maxConnections, maxHeaderBytes, idleMs, bodyMs);
    }

    private static void positive(String name, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + v);
        }
    }
}
