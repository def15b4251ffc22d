package ai.t2l.cli;

import ai.t2l.embed.OnnxTaskEmbedder;
import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import ai.t2l.miniature.build.MiniHome;
import ai.t2l.model.ModelConfig;
import ai.t2l.miniature.Example;
import ai.t2l.miniature.Split;
import ai.t2l.miniature.Task;
import ai.t2l.miniature.TaskWorld;
import ai.t2l.server.ChatEngine;
import ai.t2l.server.PageExample;
import ai.t2l.server.ServerLimits;
import ai.t2l.server.ServingStack;
import ai.t2l.server.T2lServer;
import ai.t2l.server.UpstreamEngine;
import ai.t2l.server.UpstreamSettings;
import ai.t2l.tokenizer.ChatFormat;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code t2l serve}: the OpenAI-compatible API and web page over a base model and a T2L checkpoint. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the OpenAI-compatible API (a task description is a model) and the web page.")
public final class ServeCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    WeightsOption weights;

    @picocli.CommandLine.Mixin
    HeadsOption heads;

    /** Field of tokenizer_config.json naming the chat format (the miniature writes "mini"). */
    static final String FORMAT_FIELD = "t2l_chat_format";

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", description = "Base model folder (default: the embedded miniature's)")
    Path model;

    @Option(names = "--t2l", paramLabel = "DIR", description = "T2L checkpoint folder (default: the miniature's sft-L)")
    Path t2l;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Interface to bind (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port; 0 picks a free one (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--cache-mb", defaultValue = "512", description = "Memory for cached adapters, MiB (default: ${DEFAULT-VALUE})")
    long cacheMb;

    @Option(names = "--adapters-dir", paramLabel = "DIR", description = "Keep generated adapters here across restarts")
    Path adaptersDir;

    @Option(names = "--model-name", paramLabel = "NAME", description = "Name clients use for the base model (default: the folder's name)")
    String modelName;

    @Option(names = "--chat-format", paramLabel = "NAME",
            description = "Chat format (default: tokenizer_config.json " + FORMAT_FIELD + ", else the model family's)")
    String chatFormat;

    @Option(names = "--encoder", paramLabel = "DIR",
            description = "ONNX sentence-encoder folder for descriptions (default: the bundled bge-small-en-v1.5)")
    Path encoder;

    @Option(names = "--pooling", defaultValue = "CLS", description = "Pooling of --encoder: ${COMPLETION-CANDIDATES}")
    OnnxTaskEmbedder.Pooling pooling;

    @Option(names = "--max-batch", defaultValue = "8", description = "Requests decoded together in one forward pass (default: ${DEFAULT-VALUE})")
    int maxBatch;

    @Option(names = "--max-tokens", defaultValue = "2048", description = "Largest max_tokens a request may ask (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--max-body-kb", defaultValue = "1024", description = "Largest request body, KiB (default: ${DEFAULT-VALUE})")
    long maxBodyKb;

    @Option(names = "--max-description-chars", defaultValue = "2000", description = "Longest task description (default: ${DEFAULT-VALUE})")
    int maxDescriptionChars;

    @Option(names = "--max-generations", defaultValue = "2", description = "Adapter generations at once (default: ${DEFAULT-VALUE})")
    int maxGenerations;

    @Option(names = "--max-completions", defaultValue = "8", description = "Completions at once; more wait in a queue (default: ${DEFAULT-VALUE})")
    int maxCompletions;

    @Option(names = "--api-key", paramLabel = "KEY", description = "Require 'Authorization: Bearer KEY' on every"
            + " request but /health and the page (default: env " + API_KEY_ENV + "; none when unset)")
    String apiKey;

    @Option(names = "--allowed-host", paramLabel = "NAME", description = "A host name clients may use besides"
            + " localhost and IP addresses (repeatable; others are refused against DNS rebinding)")
    List<String> allowedHosts = new ArrayList<>();

    @Option(names = "--max-connections", defaultValue = "1024", description = "Open connections; more are"
            + " answered 503 (default: ${DEFAULT-VALUE})")
    int maxConnections;

    @Option(names = "--lora", paramLabel = "NAME=DIR", description = "Serve an existing PEFT adapter folder under"
            + " NAME, chosen by 'model' in requests (repeatable; vLLM's --lora-modules)")
    java.util.Map<String, Path> loras = new java.util.LinkedHashMap<>();

    @Option(names = "--allow-runtime-lora", description = "Enable POST /v1/load_lora_adapter and"
            + " /v1/unload_lora_adapter (vLLM's VLLM_ALLOW_RUNTIME_LORA_UPDATING): clients may then name folders"
            + " on this machine to load")
    boolean allowRuntimeLora;

    @Option(names = "--upstream", paramLabel = "URL", description = "Generate on this OpenAI-compatible server with"
            + " vLLM's dynamic-LoRA API instead of here: t2l: adapters are made here, written to"
            + " --upstream-adapter-dir, loaded there, and chats proxied (see t2l-server/README.md)")
    java.net.URI upstream;

    @Option(names = "--upstream-adapter-dir", paramLabel = "DIR", description = "Folder this machine writes"
            + " adapters to and the upstream reads them from, at the same path (default: <tmp>/t2l-upstream-adapters,"
            + " only right when the upstream runs on this machine)")
    Path upstreamAdapterDir;

    @Option(names = "--upstream-api-key", paramLabel = "KEY", description = "Bearer key for the upstream (default:"
            + " env " + UPSTREAM_KEY_ENV + ")")
    String upstreamApiKey;

    @Option(names = "--upstream-model", paramLabel = "NAME", description = "The upstream's name for the base model"
            + " (default: --model-name)")
    String upstreamModel;

    static final String UPSTREAM_KEY_ENV = "T2L_UPSTREAM_API_KEY";

    /** Like vLLM's VLLM_API_KEY and llama.cpp's LLAMA_API_KEY: keeps the key out of `ps` listings. */
    static final String API_KEY_ENV = "T2L_API_KEY";

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        checkPortFree(host, port); // before loading a model that may take minutes
        UpstreamSettings up = upstreamSettings(); // a bad --upstream fails here too
        Path mini = MiniHome.defaultDir();
        boolean useMini = model == null || t2l == null;
        if (useMini && !Files.isDirectory(mini.resolve("model"))) {
            throw new T2lException("no embedded miniature at " + mini + " (build it, or run from the repository with"
                    + " ./t2l); pass --model DIR and --t2l DIR to serve your own base model and T2L checkpoint");
        }
        Path modelDir = model != null ? model : mini.resolve("model");
        Path t2lDir = t2l != null ? t2l : Miniature.checkpointIn(mini.resolve("t2l"));
        ChatFormat format = chatFormat != null ? ChatFormat.byName(chatFormat) : formatOf(modelDir);
        String name = modelName != null ? modelName
                : model == null ? "t2l-miniature" : modelDir.toAbsolutePath().normalize().getFileName().toString();
        ServerLimits limits = ServerLimits.defaults().withMaxTokens(maxTokens).withMaxBodyBytes(maxBodyKb * 1024)
                .withMaxDescriptionChars(maxDescriptionChars).withGenerations(maxGenerations, 16)
                .withCompletions(maxCompletions, 32).withMaxConnections(maxConnections);
        String key = apiKey != null ? apiKey : System.getenv(API_KEY_ENV);

        try (ServingStack stack = ServingStack.open(new ServingStack.Settings(modelDir, t2lDir, format, name,
                maxBatch, encoder != null ? OnnxTaskEmbedder.fromFolder(encoder, pooling) : null, up == null))) {
            ChatEngine engine = up == null ? stack.engine() : new UpstreamEngine(up, name);
            T2lServer server;
            try {
                server = T2lServer.builder().host(host).port(port).generator(stack.generator())
                        .engine(engine).limits(limits).cacheBudgetBytes(cacheMb << 20)
                        .persistenceDir(adaptersDir).apiKey(key).allowedHosts(allowedHosts)
                        .pageExamples(model == null ? miniatureExamples() : List.of()).loraModules(loras)
                        .runtimeLoraUpdating(allowRuntimeLora).build().start()
                        .installShutdownHook();
            } catch (BindException e) {
                throw portInUse(host, port, e);
            } catch (IllegalArgumentException e) {
                throw new T2lException("--lora " + e.getMessage(), e); // a --lora folder that cannot be served
            }
            out.printf("serving %s (T2L %s, chat format %s) on %s%n", name, stack.generator().checkpointId(),
                    format.name(), server.url());
            if (up != null) {
                out.printf("generating on the upstream %s (adapters written to %s)%n", upstream,
                        up.adapterDir());
            }
            out.println("Ctrl-C or SIGTERM stops it gracefully");
            server.awaitStop();
        }
        return 0;
    }

    private UpstreamSettings upstreamSettings() {
        if (upstream == null) {
            return null;
        }
        Path dir = upstreamAdapterDir != null ? upstreamAdapterDir
                : Path.of(System.getProperty("java.io.tmpdir"), "t2l-upstream-adapters");
        String k = upstreamApiKey != null ? upstreamApiKey : System.getenv(UPSTREAM_KEY_ENV);
        try {
            return UpstreamSettings.of(upstream, dir, k, upstreamModel);
        } catch (IllegalArgumentException e) {
            throw new T2lException(e.getMessage(), e);
        }
    }

    /**
     * The web page's example chips for the miniature: its own tasks (the demo's seen and held-out ones) with a test
     * input each, since a real LLM's examples ("solve math word problems") mean nothing to it (issue 10 item 18).
     */
    static List<PageExample> miniatureExamples() {
        TaskWorld world = TaskWorld.standard();
        List<PageExample> out = new ArrayList<>();
        for (String name : DemoCommand.BUILT_IN) {
            Task t = world.task(name);
            Example e = world.examples(t, Split.TEST, 1, 1).get(0);
            String description = t.evalDescriptions().get(0);
            String label = t.name() + (t.role() == Task.Role.TRAIN ? "" : " (held out)"); // the page shows the
            // description as the chip's tooltip and puts it in the field on click
            out.add(new PageExample(label, description, e.prompt()));
        }
        return out;
    }

    /** One clear line instead of a BindException trace (issue 10 item 14). */
    static void checkPortFree(String host, int port) {
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true); // as the server's own socket: a port in TIME_WAIT is not "in use"
            probe.bind(new InetSocketAddress(host, port));
        } catch (BindException e) {
            throw portInUse(host, port, e);
        } catch (IOException | IllegalArgumentException e) {
            throw new T2lException("cannot listen on " + host + ":" + port + ": " + e.getMessage()
                    + " (check --host and --port)", e);
        }
    }

    private static T2lException portInUse(String host, int port, Exception e) {
        return new T2lException("port " + port + " on " + host + " is already in use (" + e.getMessage()
                + "); choose another with --port N (0 picks a free one) or stop the program using it", e);
    }

    static ChatFormat formatOf(Path modelDir) {
        Path tc = modelDir.resolve("tokenizer_config.json");
        if (Files.exists(tc)) {
            JsonNode n = Json.read(tc).get(FORMAT_FIELD);
            if (n != null) {
                try {
                    return ChatFormat.byName(n.asText());
                } catch (T2lException e) {
                    throw new T2lException(tc + ": field " + FORMAT_FIELD + ": " + e.getMessage()
                            + " (or pass --chat-format NAME)", e);
                }
            }
        }
        return ChatFormat.forFamily(ModelConfig.read(modelDir).family());
    }
}
