package ai.t2l.cli;

import ai.t2l.embed.BaseModelTaskEmbedder;
import ai.t2l.embed.OnnxTaskEmbedder;
import ai.t2l.embed.TaskEmbedder;
import ai.t2l.embed.TaskEmbedders;
import ai.t2l.embed.TaskEmbedding;
import ai.t2l.generate.ChatModel;
import ai.t2l.generate.Generation;
import ai.t2l.generate.GenerationConfig;
import ai.t2l.generate.Generator;
import ai.t2l.generate.Sampler;
import ai.t2l.generate.StopStringFilter;
import ai.t2l.hypernet.HyperConfig;
import ai.t2l.hypernet.HypernetCheckpoint;
import ai.t2l.hypernet.LoadOptions;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraBatch;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import ai.t2l.model.AdapterCheck;
import ai.t2l.model.Transformer;
import ai.t2l.tokenizer.StreamingDecoder;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code t2l run}: continue a prompt with a base model, optionally adapted by a PEFT folder or by an adapter that a
 * T2L checkpoint generates in memory from a description; the text streams to the console as it is generated.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Generate text with a model, optionally adapted (--adapter, or --t2l + --description).")
public final class RunCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    WeightsOption weights;

    @picocli.CommandLine.Mixin
    HeadsOption heads;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR",
            description = "Base model folder; default: the T2L checkpoint's base model, else the embedded miniature")
    Path model;

    @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT adapter folder")
    Path adapter;

    @Option(names = "--t2l", paramLabel = "DIR", description = "T2L checkpoint: generate the adapter from --description")
    Path t2l;

    @Option(names = "--description", paramLabel = "TEXT", description = "Task description for the T2L adapter")
    String description;

    @Option(names = "--encoder", paramLabel = "bundled|base|DIR",
            description = "Description encoder: bundled bge-small, the base model (spec §3), or an ONNX folder; "
                    + "default: the one the checkpoint records")
    String encoder;

    @Option(names = "--pooling", defaultValue = "CLS", description = "Pooling of an ONNX --encoder DIR: ${COMPLETION-CANDIDATES}")
    OnnxTaskEmbedder.Pooling pooling;

    @Option(names = "--merged", description = "Merge the adapter into the weights instead of applying it unmerged")
    boolean merged;

    @Option(names = "--chat", negatable = true,
            description = "Wrap the prompt in the model's chat format (default: on with --t2l or the miniature)")
    Boolean chat;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT")
    String prompt;

    @Option(names = "--max-new-tokens", defaultValue = "256", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "0", paramLabel = "T", description = "0 = greedy (default)")
    double temperature;

    @Option(names = "--top-p", defaultValue = "1", paramLabel = "P", description = "Nucleus sampling mass (default 1)")
    double topP;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Seed of the sampler (default 0)")
    long seed;

    @Option(names = "--stop", paramLabel = "STR", description = "Stop when the output contains STR (repeatable)")
    List<String> stop = List.of();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        checkOptions();
        boolean useMiniature = model == null && t2l == null;
        Path modelDir = model != null ? model : useMiniature ? Miniature.model() : null;
        Path t2lDir = t2l != null ? t2l : description != null && useMiniature ? Miniature.t2l() : null;
        HypernetCheckpoint ckpt = t2lDir == null ? null : HypernetCheckpoint.load(t2lDir, new LoadOptions(modelDir, null), null);
        try {
            if (ckpt != null) {
                ckpt.warnings().forEach(w -> err.println("warning: " + w));
                modelDir = modelDir != null ? modelDir : baseModelOf(ckpt);
            }
            if (useMiniature) {
                err.println("note: using the embedded miniature " + modelDir.getParent()
                        + (t2lDir == null ? "" : " and " + t2lDir.getFileName()));
            }
            try (ChatModel cm = ChatModel.open(modelDir)) {
                LoraWeights lora = adapter != null ? PeftAdapter.read(adapter) : ckpt != null ? generate(ckpt, cm, modelDir, err) : null;
                if (ckpt != null) {
                    ckpt.close();
                    ckpt = null;
                }
                boolean asChat = chat != null ? chat : t2lDir != null || useMiniature;
                int[] ids = asChat ? cm.encodeRendered(cm.renderEvalPrompt(prompt, "")) : cm.encodePlain(prompt);
                stream(cm, ids, lora, newTokensWithinContext(cm, ids.length, err), out, err);
            }
        } finally {
            if (ckpt != null) {
                ckpt.close();
            }
        }
        return 0;
    }

    private void checkOptions() {
        if (adapter != null && (t2l != null || description != null)) {
            throw new T2lException("--adapter and --t2l/--description are alternatives: pass one");
        }
        if (t2l != null && description == null) {
            throw new T2lException("--t2l needs --description TEXT (the task to generate an adapter for)");
        }
        if (maxNewTokens < 1) {
            throw new T2lException("--max-new-tokens must be at least 1, got " + maxNewTokens);
        }
        if (!(temperature >= 0) || !Double.isFinite(temperature)) { // !(x >= 0) also catches NaN
            throw new T2lException("--temperature must be a finite number >= 0 (0 = greedy), got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new T2lException("--top-p must be in (0, 1] (1 = the whole distribution), got " + topP);
        }
        if (model != null && !Files.isDirectory(model)) {
            throw new T2lException(model + ": no such model folder (--model)");
        }
    }

    private static Path baseModelOf(HypernetCheckpoint ckpt) {
        if (ckpt.baseModelDir() != null) {
            return ckpt.baseModelDir();
        }
        String recorded = ckpt.config().baseModel();
        Path p = recorded.isEmpty() ? null : Path.of(recorded);
        if (p != null && !p.isAbsolute()) {
            p = ckpt.source().resolve(p).normalize(); // our checkpoints may record the base model relative to themselves
        }
        if (p == null || !Files.isDirectory(p)) {
            throw new T2lException(ckpt.source() + ": its base model " + (recorded.isEmpty() ? "is not recorded"
                    : "'" + recorded + "' was not found") + "; pass --model DIR");
        }
        return p;
    }

    /** The T2L adapter for --description (spec §4.4), made in memory. */
    private LoraWeights generate(HypernetCheckpoint ckpt, ChatModel cm, Path modelDir, PrintWriter err) {
        HyperConfig c = ckpt.config();
        ai.t2l.hypernet.OneHotTasks.refuseText(c, ckpt.source());
        String choice = encoder != null ? encoder
                : TaskEmbedders.defaultFor(c.embModel(), c.taskEmbDim(), cm.model().config().hiddenSize());
        long t0 = System.nanoTime();
        try (TaskEmbedder e = TaskEmbedders.open(choice, pooling, () -> new BaseModelTaskEmbedder(cm.model(), cm.tokenizer()))) {
            TaskEmbedders.checkDimension(e, c.taskEmbDim(), c.embModel());
            TaskEmbedding emb = e.embed(description);
            if (emb.notice() != null) {
                err.println("note: " + emb.notice());
            }
            LoraWeights w = ckpt.hypernet().generate(emb.vector());
            AdapterCheck.check(cm.model().config(), w, ckpt.source().toString());
            err.printf(Locale.ROOT, "adapter from \"%s\" (%s, r=%d on %s) in %d ms%n", emb.text(), e.name(),
                    w.config().r(), String.join(",", w.config().targetModules()), (System.nanoTime() - t0) / 1_000_000);
            return w;
        }
    }

    /**
     * The model was trained on max_position_embeddings positions; past them its positions are ones it never saw
     * (issue 10 item 10). Refuse a prompt that fills the window, and stop generation at its end with a note.
     */
    private int newTokensWithinContext(ChatModel cm, int promptTokens, PrintWriter err) {
        int window = cm.model().config().maxPositionEmbeddings();
        if (promptTokens >= window) {
            throw new T2lException("the prompt has " + promptTokens + " tokens but the model's context window "
                    + "(max_position_embeddings in config.json) is " + window + "; shorten the prompt");
        }
        if ((long) promptTokens + maxNewTokens > window) {
            int allowed = window - promptTokens;
            err.println("note: stopping after " + allowed + " new tokens, at the model's context window of " + window
                    + " (prompt " + promptTokens + " + --max-new-tokens " + maxNewTokens + " would pass it)");
            return allowed;
        }
        return maxNewTokens;
    }

    private void stream(ChatModel cm, int[] ids, LoraWeights adapter, int newTokens, PrintWriter out, PrintWriter err) {
        GenerationConfig cfg = cm.greedy(newTokens)
                .withSampler(temperature == 0 ? Sampler.GREEDY : Sampler.temperature(temperature, topP), seed);
        if (!stop.isEmpty()) {
            cfg = cfg.withStopStrings(stop, t -> cm.tokenizer().decode(t, true));
        }
        StreamingDecoder decoder = cm.tokenizer().streamingDecoder(true);
        StopStringFilter filter = new StopStringFilter(stop);
        Transformer m = cm.model();
        long t0 = System.nanoTime();
        Generation g;
        try (Transformer.Merged mergedHandle = adapter != null && merged ? m.merge(adapter, "adapter") : null;
                LoraBatch lora = adapter != null && !merged ? LoraBatch.shared(m.manager(), adapter) : null;
                Generator gen = new Generator(m)) {
            g = gen.generate(ids, lora, cfg, (row, token) -> {
                if (!cm.stopIds().contains(token)) {
                    out.print(filter.push(decoder.push(token)));
                    out.flush();
                }
            });
        }
        out.println(filter.push(decoder.flush()) + filter.flush());
        double s = (System.nanoTime() - t0) / 1e9;
        err.printf(Locale.ROOT, "[%d prompt tokens, %d new tokens, %s, %.1f tok/s]%n", ids.length, g.tokens().length,
                g.reason().name().toLowerCase(Locale.ROOT), g.tokens().length / s);
    }
}
