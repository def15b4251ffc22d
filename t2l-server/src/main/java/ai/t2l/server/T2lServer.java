package ai.t2l.server;

import java.io.IOException;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The T2L HTTP service: an OpenAI-compatible API where a task description is a model, plus a web page, on the JDK's
 * Jetty 12 core (see README "Why Jetty"). Build with {@link #builder()}, then {@link #start()}; {@link #stop()} drains gracefully.
 */
public final class T2lServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(T2lServer.class.getName());

    private final Builder config;
    private final Metrics metrics = new Metrics();
    private final Drain drain = new Drain();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private Server http;
    private ThreadPoolExecutor workers;
    private ScheduledExecutorService timer;
    private AdapterCache cache;
    private Thread shutdownHook;
    private volatile int boundPort = -1;

    private T2lServer(Builder b) {
        this.config = b;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings; {@code generator} and {@code engine} are required, everything else has a default. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 8080;
        private AdapterGenerator generator;
        private ChatEngine engine;
        private ServerLimits limits = ServerLimits.defaults();
        private long cacheBudgetBytes = 512L << 20;
        private Path persistenceDir;
        private Duration shutdownGrace = Duration.ofSeconds(10);
        private String apiKey;
        private final Set<String> allowedHosts = new LinkedHashSet<>();
        private List<PageExample> pageExamples = List.of();
        private final Map<String, Path> loraModules = new LinkedHashMap<>();
        private boolean runtimeLoraUpdating;

        private Builder() {}

        /**
         * Existing PEFT adapter folders served under these names from the start (vLLM's --lora-modules); start()
         * fails with the reason when one cannot be read or does not fit the base model.
         */
        public Builder loraModules(Map<String, Path> modules) {
            modules.forEach((k, v) -> loraModules.put(Objects.requireNonNull(k), Objects.requireNonNull(v)));
            return this;
        }

        /** Enables POST /v1/load_lora_adapter and /v1/unload_lora_adapter (vLLM's VLLM_ALLOW_RUNTIME_LORA_UPDATING). */
        public Builder runtimeLoraUpdating(boolean allowed) {
            this.runtimeLoraUpdating = allowed;
            return this;
        }

        /** Example chips for the web page that fit the served model (default: the page's own, for real LLMs). */
        public Builder pageExamples(List<PageExample> examples) {
            this.pageExamples = List.copyOf(examples);
            return this;
        }

        /** Optional: every request but /health and the page must send {@code Authorization: Bearer <key>}. */
        public Builder apiKey(String key) {
            this.apiKey = key;
            return this;
        }

        /**
         * Host names (besides localhost, IP addresses and the bound host) that clients may use in the Host header,
         * e.g. the machine's DNS name when serving a network. Others are refused (DNS-rebinding defence).
         */
        public Builder allowedHosts(List<String> names) {
            names.forEach(n -> allowedHosts.add(Objects.requireNonNull(n)));
            return this;
        }

        /** Interface to bind; loopback by default so nothing is exposed unless asked for. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host);
            return this;
        }

        /** 0 picks a free port; read it back with {@link T2lServer#port()}. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0-65535, got " + port);
            }
            this.port = port;
            return this;
        }

        public Builder generator(AdapterGenerator generator) {
            this.generator = Objects.requireNonNull(generator);
            return this;
        }

        public Builder engine(ChatEngine engine) {
            this.engine = Objects.requireNonNull(engine);
            return this;
        }

        public Builder limits(ServerLimits limits) {
            this.limits = Objects.requireNonNull(limits);
            return this;
        }

        /** Memory for adapter weights in the cache, counted as float32 (numel * 4). Default 512 MiB. */
        public Builder cacheBudgetBytes(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("cache budget must be positive, got " + bytes);
            }
            this.cacheBudgetBytes = bytes;
            return this;
        }

        /** Optional folder that keeps every generated adapter (PEFT folders + index.json) across restarts. */
        public Builder persistenceDir(Path dir) {
            this.persistenceDir = dir;
            return this;
        }

        /** How long {@link T2lServer#stop()} lets requests in flight finish. Default 10 s. */
        public Builder shutdownGrace(Duration grace) {
            if (grace.isNegative()) {
                throw new IllegalArgumentException("shutdown grace must not be negative");
            }
            this.shutdownGrace = grace;
            return this;
        }

        public T2lServer build() {
            if (generator == null) {
                throw new IllegalStateException("T2lServer needs an AdapterGenerator: call generator(...)");
            }
            if (engine == null) {
                throw new IllegalStateException("T2lServer needs a ChatEngine: call engine(...)");
            }
            return new T2lServer(this);
        }
    }

    /** Binds and starts serving; reads the persistence index first, so a bad folder fails here, not later. */
    public synchronized T2lServer start() throws IOException {
        if (http != null) {
            throw new IllegalStateException("server already started");
        }
        ServerLimits limits = config.limits;
        String base = config.generator.baseModelName();
        AdapterStore store = config.persistenceDir == null ? null : new AdapterStore(config.persistenceDir);
        Gate generations = new Gate("adapter generations", limits.maxConcurrentGenerations(),
                limits.maxQueuedGenerations());
        Gate completions = new Gate("completions", limits.maxConcurrentCompletions(), limits.maxQueuedCompletions());
        cache = new AdapterCache(config.generator, config.cacheBudgetBytes, store, generations, metrics);
        LoraRegistry loras = new LoraRegistry(config.engine, base);
        for (Map.Entry<String, Path> m : config.loraModules.entrySet()) {
            try {
                loras.load(m.getKey(), m.getValue().toString());
            } catch (ApiException e) {
                throw new IllegalArgumentException("LoRA module " + m.getKey() + "=" + m.getValue() + ": "
                        + e.getMessage(), e);
            }
        }
        ModelResolver resolver = new ModelResolver(base, cache, loras, limits.maxDescriptionChars(),
                config.engine.passesUnknownModels());

        Map<String, ApiHandler> routes = new LinkedHashMap<>();
        routes.put("/", new PageHandler(metrics));
        routes.put("/health", new HealthHandler(base, config.generator.checkpointId(), cache, metrics));
        routes.put("/metrics", new MetricsHandler(cache, metrics));
        routes.put(ExamplesHandler.PATH, new ExamplesHandler(config.pageExamples, metrics));
        routes.put("/v1/models", new ModelsHandler(base, Instant.now().getEpochSecond(), cache, loras, metrics));
        LoraAdaptersHandler loraApi = new LoraAdaptersHandler(loras, limits, config.runtimeLoraUpdating, metrics);
        routes.put(LoraAdaptersHandler.LOAD, loraApi);
        routes.put(LoraAdaptersHandler.UNLOAD, loraApi);
        routes.put("/v1/adapters", new AdaptersHandler(cache, limits, base, config.generator.peftBaseModel(), metrics));
        routes.put("/v1/chat/completions", new ChatCompletionsHandler(config.engine, resolver, limits, completions,
                metrics));
        routes.put("/v1/completions", new CompletionsHandler(config.engine, resolver, limits, completions, metrics));

        // Bounded: a fixed number of workers and a bounded queue; past both a request is answered 503 at once, so
        // overload never grows threads or memory without limit.
        AtomicInteger n = new AtomicInteger();
        workers = new ThreadPoolExecutor(limits.requestThreads(), limits.requestThreads(), 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(limits.requestThreads() * 4), r -> {
                    Thread t = new Thread(r, "t2l-http-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "t2l-http-timer");
            t.setDaemon(true);
            return t;
        });
        Set<String> hosts = new LinkedHashSet<>(config.allowedHosts);
        hosts.add(config.host);
        HttpFront front = new HttpFront(routes, new RequestGuard(config.apiKey, hosts), limits, drain, workers, timer,
                metrics);

        // Jetty's own threads only parse, check and hand over (and answer /health): a small pool is enough.
        QueuedThreadPool jettyThreads = new QueuedThreadPool(32, 4);
        jettyThreads.setName("t2l-jetty");
        jettyThreads.setDaemon(true);
        http = new Server(jettyThreads);
        HttpConfiguration hc = new HttpConfiguration();
        hc.setRequestHeaderSize(limits.maxHeaderBytes());
        hc.setSendServerVersion(false);
        hc.setSendXPoweredBy(false);
        // Paths reach the endpoints as sent ("%2F", "..") and are refused there by name, with the API's errors.
        hc.setUriCompliance(UriCompliance.UNSAFE);
        ServerConnector connector = new ServerConnector(http, 1, 1, new HttpConnectionFactory(hc));
        connector.setHost(config.host);
        connector.setPort(config.port);
        connector.setIdleTimeout(limits.idleTimeoutMs());
        connector.setAcceptQueueSize(128);
        connector.getSelectorManager().addEventListener(new ConnectionCap(limits.maxConnections()));
        http.addConnector(connector);
        http.setHandler(front);
        http.setErrorHandler(new JsonErrorHandler());
        try {
            http.start();
        } catch (Exception e) {
            cleanUpFailedStart();
            Throwable cause = e;
            while (cause != null && !(cause instanceof BindException)) {
                cause = cause.getCause();
            }
            if (cause != null) {
                BindException b = new BindException("cannot listen on " + config.host + ":" + config.port + ": "
                        + cause.getMessage());
                b.initCause(e);
                throw b;
            }
            throw e instanceof IOException io ? io : new IOException("the HTTP server did not start: " + e, e);
        }
        boundPort = connector.getLocalPort();
        LOG.info("T2L server on " + url() + " (base model " + base + ")");
        return this;
    }

    private void cleanUpFailedStart() {
        try {
            http.stop();
        } catch (Exception ignored) {
            // nothing was serving
        }
        workers.shutdownNow();
        timer.shutdownNow();
        http = null;
    }

    /** The bound port (the chosen one when built with port 0). Not synchronized: usable while stop() drains. */
    public int port() {
        if (boundPort < 0) {
            throw new IllegalStateException("server not started");
        }
        return boundPort;
    }

    /** e.g. http://127.0.0.1:8080 */
    public String url() {
        String h = config.host.contains(":") ? "[" + config.host + "]" : config.host;
        return "http://" + h + ":" + port();
    }

    /** Stops with the configured grace. */
    public void stop() {
        stop(config.shutdownGrace);
    }

    /**
     * Refuses new requests (503), lets requests in flight finish for up to {@code grace}, then closes every
     * connection: streams still running see their client gone and cancel their generation.
     */
    public synchronized void stop(Duration grace) {
        if (http == null || stopped.getCount() == 0) {
            return;
        }
        if (!drain.drain(grace)) {
            LOG.warning(drain.inFlight() + " request(s) still running after " + grace + "; closing them");
        }
        try {
            http.stop(); // closes every connection: streams still running see their client gone
        } catch (Exception e) {
            LOG.warning("stopping the HTTP server: " + e);
        }
        workers.shutdownNow(); // interrupts requests queued at a gate
        timer.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException ignored) {
                // the JVM is already shutting down
            }
        }
        stopped.countDown();
        LOG.info("T2L server stopped");
    }

    /** Makes SIGTERM / Ctrl-C stop the server gracefully (for the CLI). */
    public synchronized T2lServer installShutdownHook() {
        if (shutdownHook == null) {
            shutdownHook = new Thread(this::stop, "t2l-server-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
        return this;
    }

    /** Blocks until {@link #stop} has finished (for a CLI main thread). */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        stop();
    }

    /** Bytes of adapter weights held in memory now: always within the configured budget. */
    public long cachedAdapterBytes() {
        return cache.residentBytes();
    }
}
