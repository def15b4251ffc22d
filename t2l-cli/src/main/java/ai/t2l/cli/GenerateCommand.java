package ai.t2l.cli;

import ai.t2l.compute.ProductPrecision;
import ai.t2l.embed.BaseModelTaskEmbedder;
import ai.t2l.embed.OnnxTaskEmbedder;
import ai.t2l.embed.TaskEmbedder;
import ai.t2l.embed.TaskEmbedders;
import ai.t2l.embed.TaskEmbedding;
import ai.t2l.embed.TaskText;
import ai.t2l.hypernet.HyperConfig;
import ai.t2l.hypernet.HypernetCheckpoint;
import ai.t2l.hypernet.LoadOptions;
import ai.t2l.io.T2lException;
import ai.t2l.export.GgufAdapterExport;
import ai.t2l.io.GgufWriter;
import ai.t2l.lora.BaseModelRef;
import ai.t2l.model.ModelConfig;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code t2l generate}: description(s) in, PEFT adapter folder(s) out (T2L-SPEC §4.4). */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate a LoRA adapter from a task description with a T2L hypernetwork.")
public final class GenerateCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    WeightsOption weights;

    @Spec
    CommandSpec spec;

    @Option(names = "--t2l", paramLabel = "DIR",
            description = "T2L checkpoint folder (ours, or the reference's hypermod.pt + args.yaml + adapter_config.json);"
                    + " default: the embedded miniature's miniature/t2l/sft-L with its model")
    Path t2l;

    @Option(names = "--model", paramLabel = "DIR",
            description = "Base model folder (for its dimensions); default: args.yaml model_dir, resolved near the checkpoint")
    Path model;

    static final class Input {
        @Option(names = "--description", paramLabel = "TEXT", description = "One task description")
        String description;

        @Option(names = "--descriptions", paramLabel = "FILE", description = "One description per line: one adapter each")
        Path descriptions;

        @Option(names = "--task-embedding", paramLabel = "FILE",
                description = "JSON array of floats: an encoder's pooled output before normalisation")
        Path taskEmbedding;

        @Option(names = "--one-hot-task", paramLabel = "NAME",
                description = "A one-hot T2L: the adapter of this training task (its one-hot id; spec 9)")
        String oneHotTask;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Adapter folder (or, with --descriptions, the folder that receives one adapter per line)")
    Path out;

    @Option(names = "--module-order", split = ",", paramLabel = "M1,M2",
            description = "Module-type index order of a reference checkpoint (default: adapter_config.json target_modules)")
    List<String> moduleOrder;

    @Option(names = "--encoder", paramLabel = "bundled|base|DIR",
            description = "Description encoder: the bundled bge-small-en-v1.5 (default), the base model itself (last-token "
                    + "pooling, spec §3; needs the base model folder), an ONNX folder (model.onnx + tokenizer.json), or the"
                    + " reference's gte-large-en-v1.5 as downloaded from Hugging Face (config.json + model.safetensors +"
                    + " tokenizer.json), run natively")
    String encoder;

    @Option(names = "--pooling", defaultValue = "CLS", description = "Pooling of --encoder: ${COMPLETION-CANDIDATES}")
    OnnxTaskEmbedder.Pooling pooling;

    enum Format { peft, gguf }

    @Option(names = "--format", defaultValue = "peft", paramLabel = "peft|gguf",
            description = "Adapter format: a PEFT folder (default) or a GGUF LoRA file for llama.cpp/Ollama"
                    + " (--out FILE.gguf; with --descriptions, a folder of adapter_NNNN.gguf)")
    Format format;

    @Option(names = "--base-model-id", paramLabel = "ORG/NAME",
            description = "Hub id written as the adapter's base_model_name_or_path (default: the model folder's"
                    + " config _name_or_path when it is a hub id, else the folder's absolute path)")
    String baseModelId;

    @Option(names = "--overwrite", description = "Replace existing output folders")
    boolean overwrite;

    enum Heads {
        f32(ProductPrecision.F32), bf16(ProductPrecision.BF16), bf16dot(ProductPrecision.BF16_DOT);

        final ProductPrecision precision;

        Heads(ProductPrecision precision) {
            this.precision = precision;
        }
    }

    @Option(names = "--heads", paramLabel = "f32|bf16|bf16dot",
            description = "Precision of the hypernetwork's products: f32 (default; the reference's numbers), bf16"
                    + " (head weights rounded: half the bytes, faster for L and M) or bf16dot (weights and activations"
                    + " of the heads and the trunk rounded, AVX512_BF16 dot products in a native library the launcher"
                    + " builds: fastest, largest error). The adapters differ by the rounding, see docs/PERFORMANCE.md."
                    + " Default also from -Dt2l.hypernet.heads")
    Heads heads;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter outw = spec.commandLine().getOut();
        if (t2l == null) { // the embedded miniature (DESIGN §4): works offline with nothing given
            t2l = Miniature.checkpointIn(ai.t2l.miniature.build.MiniHome.defaultDir().resolve("t2l"));
            model = model != null ? model
                    : ai.t2l.miniature.build.MiniHome.defaultDir().resolve(ai.t2l.miniature.build.MiniLayout.MODEL);
        }
        // before anything is loaded or written: --out must not be "/", a file, or a folder holding an input
        Path encoderDir = encoder == null || encoder.equals("bundled") || encoder.equals("base") ? null : Path.of(encoder);
        java.util.Map<String, Path> inputs = new java.util.LinkedHashMap<>();
        inputs.put("--t2l", t2l);
        inputs.put("--model", model);
        inputs.put("--encoder", encoderDir);
        inputs.put("--descriptions", input.descriptions);
        inputs.put("--task-embedding", input.taskEmbedding);
        OutputGuard.check("--out", out, inputs);
        LoadOptions opts = new LoadOptions(model, moduleOrder);
        try (HypernetCheckpoint ckpt = HypernetCheckpoint.load(t2l, opts, null)) {
            ckpt.warnings().forEach(w -> err.println("warning: " + w));
            if (heads != null) {
                ckpt.hypernet().headPrecision(heads.precision);
            }
            HyperConfig c = ckpt.config();
            String base = BaseModelRef.choose(baseModelId, model != null ? model : ckpt.baseModelDir(),
                    c.baseModel().isEmpty() ? null : c.baseModel());
            if (input.oneHotTask != null) {
                float[] id = ai.t2l.hypernet.OneHotTasks.of(c).vector(input.oneHotTask); // unknown task: clear error
                write(ckpt, new TaskEmbedding(id, input.oneHotTask, 0, null), out, base, "one-hot " + input.oneHotTask,
                        outw);
                return 0;
            }
            if (input.taskEmbedding == null) {
                ai.t2l.hypernet.OneHotTasks.refuseText(c, t2l);
            }
            if (input.taskEmbedding != null) {
                TaskEmbedding e = TaskText.fromJsonFile(input.taskEmbedding, c.taskEmbDim());
                write(ckpt, e, out, base, "", outw);
                return 0;
            }
            List<String> texts = descriptions();
            try (TaskEmbedder embedder = TaskEmbedders.open(encoder, pooling, () -> BaseModelTaskEmbedder.open(baseDir(ckpt)))) {
                TaskEmbedders.checkDimension(embedder, c.taskEmbDim(), c.embModel());
                if (input.description != null) {
                    write(ckpt, embed(embedder, texts.get(0), err), out, base, texts.get(0), outw);
                    return 0;
                }
                if (Files.exists(out) && !overwrite && !isEmptyDir(out)) {
                    throw new T2lException("output folder " + out + " already exists and is not empty (use --overwrite)");
                }
                try (ProgressBar pb = Terminal.bar("generate", texts.size(), System.err).build()) {
                    for (int i = 0; i < texts.size(); i++) {
                        Path dir = out.resolve(String.format("adapter_%04d", i + 1) + (format == Format.gguf ? ".gguf" : ""));
                        write(ckpt, embed(embedder, texts.get(i), err), dir, base, texts.get(i), null);
                        pb.step();
                    }
                }
                outw.printf("wrote %d adapters to %s%n", texts.size(), out);
            }
        }
        return 0;
    }

    /** The base model folder for --encoder base: --model, else the one the checkpoint loader resolved. */
    private Path baseDir(HypernetCheckpoint ckpt) {
        Path dir = model != null ? model : ckpt.baseModelDir();
        if (dir == null) {
            throw new T2lException("--encoder base embeds with the base model: pass --model DIR");
        }
        return dir;
    }

    private List<String> descriptions() {
        if (input.description != null) {
            TaskText.prepare(input.description); // refuse an empty one before loading an encoder
            return List.of(input.description);
        }
        List<String> lines = new ArrayList<>();
        try {
            for (String l : Files.readAllLines(input.descriptions)) {
                if (!l.isBlank()) {
                    lines.add(l.strip());
                }
            }
        } catch (IOException e) {
            throw new T2lException(input.descriptions + ": cannot read: " + e.getMessage(), e);
        }
        if (lines.isEmpty()) {
            throw new T2lException(input.descriptions + ": no descriptions (one per line expected)");
        }
        return lines;
    }

    private static TaskEmbedding embed(TaskEmbedder embedder, String text, PrintWriter err) {
        TaskEmbedding e = embedder.embed(text);
        if (e.notice() != null) {
            err.println("note: " + e.notice());
        }
        return e;
    }

    private void write(HypernetCheckpoint ckpt, TaskEmbedding e, Path dir, String base, String desc, PrintWriter outw) {
        long t0 = System.nanoTime();
        LoraWeights w = ckpt.hypernet().generate(e.vector());
        if (format == Format.gguf) {
            Path baseDir = model != null ? model : ckpt.baseModelDir();
            if (baseDir == null) {
                throw new T2lException("--format gguf lays tensors out for the base model: pass --model DIR");
            }
            if (Files.isDirectory(dir) || (Files.exists(dir) && !overwrite)) {
                throw new T2lException("output " + dir + " already exists (a GGUF adapter is one file; use --overwrite)");
            }
            GgufAdapterExport.write(w, ModelConfig.read(baseDir), "generated adapter", dir,
                    GgufWriter.TensorType.F32, desc.isEmpty() ? "t2l adapter" : "t2l: " + desc);
        } else {
            PeftAdapter.write(dir, w, base, desc, overwrite);
        }
        if (outw != null) {
            outw.printf("wrote %s: %d LoRA tensors (r=%d, %s), %,d values, in %d ms%n", dir, 2 * w.pairs().size(),
                    w.config().r(), String.join(", ", w.config().targetModules()), w.numel(),
                    (System.nanoTime() - t0) / 1_000_000);
        }
    }

    private static boolean isEmptyDir(Path p) {
        try (var s = Files.list(p)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }
}
