package ai.t2l.server;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters behind GET /metrics, rendered in the Prometheus text format (version 0.0.4). */
final class Metrics {
    private record RequestKey(String endpoint, String method, int status) {}

    private final Map<RequestKey, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
    private final LongAdder promptTokens = new LongAdder();
    private final LongAdder completionTokens = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final LongAdder cacheHits = new LongAdder();
    private final LongAdder cacheMisses = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final Histogram generation = new Histogram(Histogram.LATENCY_BOUNDS);

    /** {@code endpoint} must be a route template (e.g. /v1/adapters/{id}), never a raw path: labels stay few. */
    void request(String endpoint, String method, int status, long nanos) {
        requests.computeIfAbsent(new RequestKey(endpoint, method, status), k -> new LongAdder()).increment();
        latency.computeIfAbsent(endpoint, k -> new Histogram(Histogram.LATENCY_BOUNDS)).observe(nanos / 1e9);
    }

    void tokens(int prompt, int completion) {
        promptTokens.add(prompt);
        completionTokens.add(completion);
    }

    void cancelled() {
        cancelled.increment();
    }

    void cacheHit() {
        cacheHits.increment();
    }

    void cacheMiss() {
        cacheMisses.increment();
    }

    void eviction() {
        evictions.increment();
    }

    void adapterGenerated(long ms) {
        generation.observe(ms / 1e3);
    }

    String render(AdapterCache cache) {
        StringBuilder out = new StringBuilder();
        header(out, "t2l_http_requests_total", "counter", "HTTP requests by endpoint, method and status.");
        new TreeMap<String, Long>(
                requests.entrySet().stream().collect(java.util.stream.Collectors.toMap(
                        e -> "endpoint=\"" + e.getKey().endpoint() + "\",method=\"" + e.getKey().method()
                                + "\",status=\"" + e.getKey().status() + "\"",
                        e -> e.getValue().sum())))
                .forEach((labels, n) -> out.append("t2l_http_requests_total{").append(labels).append("} ")
                        .append(n).append('\n'));
        header(out, "t2l_http_request_duration_seconds", "histogram",
                "Time from request to the end of the response (whole stream for streaming requests).");
        new TreeMap<>(latency).forEach((endpoint, h) ->
                h.render(out, "t2l_http_request_duration_seconds", "endpoint=\"" + endpoint + "\""));
        counter(out, "t2l_prompt_tokens_total", "Prompt tokens processed.", promptTokens.sum());
        counter(out, "t2l_completion_tokens_total", "Tokens generated.", completionTokens.sum());
        counter(out, "t2l_completions_cancelled_total", "Streams ended early because the client went away.",
                cancelled.sum());
        counter(out, "t2l_adapter_cache_hits_total", "Adapter requests served without generating.", cacheHits.sum());
        counter(out, "t2l_adapter_cache_misses_total", "Adapter requests that ran the hypernetwork.",
                cacheMisses.sum());
        counter(out, "t2l_adapter_cache_evictions_total", "Adapters dropped from memory to stay within budget.",
                evictions.sum());
        gauge(out, "t2l_adapters_cached", "Adapters whose weights are in memory.", cache.residentCount());
        gauge(out, "t2l_adapters_known", "Adapters that can be served (in memory or in the persistence folder).",
                cache.knownCount());
        gauge(out, "t2l_adapter_cache_bytes", "Bytes of adapter weights in memory (float32).", cache.residentBytes());
        gauge(out, "t2l_adapter_cache_budget_bytes", "The configured adapter cache budget.", cache.budgetBytes());
        header(out, "t2l_adapter_generation_seconds", "histogram", "Time the hypernetwork took per adapter.");
        generation.render(out, "t2l_adapter_generation_seconds", "");
        return out.toString();
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, long v) {
        header(out, name, "counter", help);
        out.append(name).append(' ').append(v).append('\n');
    }

    private static void gauge(StringBuilder out, String name, String help, long v) {
        header(out, name, "gauge", help);
        out.append(name).append(' ').append(v).append('\n');
    }
}
