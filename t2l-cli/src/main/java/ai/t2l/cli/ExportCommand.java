package ai.t2l.cli;

import ai.t2l.export.GgufAdapterExport;
import ai.t2l.export.GgufModelExport;
import ai.t2l.export.MergedExport;
import ai.t2l.io.GgufWriter;
import ai.t2l.io.T2lException;
import ai.t2l.lora.BaseModelRef;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import ai.t2l.model.ModelConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code t2l export}: adapters and models in the formats other engines load (docs/EXPORT.md). */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export an adapter or a model for other engines:",
            "  --adapter A --model M --format gguf --out a.gguf   GGUF LoRA adapter (llama.cpp --lora, Ollama ADAPTER)",
            "  --model M --format gguf --out m.gguf               GGUF model (llama/mistral; --dtype f32|f16)",
            "  --adapter A --model M --merged --out DIR           HF folder with the adapter merged in (base dtype)",
            "  --adapter A --format peft --out DIR                PEFT folder every PEFT since 0.10 loads"})
public final class ExportCommand implements Callable<Integer> {
    enum Format { peft, gguf }

    enum Dtype { f32, f16 }

    @Spec
    CommandSpec spec;

    @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT LoRA adapter folder (ours or any PEFT one)")
    Path adapter;

    @Option(names = "--model", paramLabel = "DIR", description = "Base model folder (Hugging Face layout)")
    Path model;

    @Option(names = "--format", paramLabel = "peft|gguf", description = "Output format: ${COMPLETION-CANDIDATES}"
            + " (default: gguf, or an HF folder with --merged)")
    Format format;

    @Option(names = "--merged", description = "Merge the adapter into the base weights (like PEFT's merge_and_unload)")
    boolean merged;

    @Option(names = "--dtype", defaultValue = "f32", paramLabel = "f32|f16",
            description = "GGUF matrix type (norms stay f32): ${COMPLETION-CANDIDATES}; default ${DEFAULT-VALUE}")
    Dtype dtype;

    @Option(names = "--base-model-id", paramLabel = "ORG/NAME",
            description = "Hub id to record as the base model (PEFT base_model_name_or_path)")
    String baseModelId;

    @Option(names = "--out", required = true, paramLabel = "PATH", description = "Output file (.gguf) or folder")
    Path out;

    @Option(names = "--overwrite", description = "Replace an existing output")
    boolean overwrite;

    @Override
    public Integer call() {
        PrintWriter w = spec.commandLine().getOut();
        if (merged) {
            if (format == Format.peft) {
                throw new T2lException("--merged writes a model, not an adapter: leave out --format peft"
                        + " (or use --format gguf for a merged GGUF model)");
            }
            requireAdapterAndModel("--merged");
            LoraWeights a = PeftAdapter.read(adapter);
            if (format == Format.gguf) {
                refuseExisting(out);
                GgufModelExport.write(model, a, adapter.toString(), out, type(), null);
                w.printf("wrote %s: GGUF model %s with %s merged (%s)%n", out, model, adapter, dtype);
            } else {
                MergedExport.write(model, a, adapter.toString(), out, overwrite);
                w.printf("wrote %s: %s with %s merged (the base's dtype and shards)%n", out, model, adapter);
            }
            return 0;
        }
        Format f = format == null ? Format.gguf : format;
        if (f == Format.peft) {
            if (adapter == null) {
                throw new T2lException("--format peft writes an adapter: pass --adapter DIR");
            }
            LoraWeights a = PeftAdapter.read(adapter);
            String base = BaseModelRef.choose(baseModelId, model, recordedBase(adapter));
            PeftAdapter.write(out, a, base, readDescription(adapter), overwrite);
            w.printf("wrote %s: PEFT adapter (base_model_name_or_path %s)%n", out, base);
            return 0;
        }
        if (model == null) {
            throw new T2lException("--format gguf needs --model DIR (the base model: its architecture and head counts"
                    + " decide the GGUF tensor layout)");
        }
        refuseExisting(out);
        if (adapter == null) {
            GgufModelExport.write(model, null, null, out, type(), null);
            w.printf("wrote %s: GGUF model (%s)%n", out, dtype);
        } else {
            LoraWeights a = PeftAdapter.read(adapter);
            GgufAdapterExport.write(a, ModelConfig.read(model), adapter.toString(), out, type(),
                    adapter.toAbsolutePath().normalize().getFileName().toString());
            w.printf("wrote %s: GGUF LoRA adapter, %d tensors, alpha %.4g (r=%d)%n", out, 2 * a.pairs().size(),
                    GgufAdapterExport.llamaCppAlpha(a), a.config().r());
        }
        return 0;
    }

    private GgufWriter.TensorType type() {
        return dtype == Dtype.f16 ? GgufWriter.TensorType.F16 : GgufWriter.TensorType.F32;
    }

    private void requireAdapterAndModel(String what) {
        if (adapter == null || model == null) {
            throw new T2lException(what + " needs --adapter DIR and --model DIR");
        }
    }

    private void refuseExisting(Path file) {
        if (Files.isDirectory(file)) {
            throw new T2lException("--out " + file + " is a folder; a GGUF export is one file (e.g. --out adapter.gguf)");
        }
        if (Files.exists(file) && !overwrite) {
            throw new T2lException("output file " + file + " already exists (use --overwrite)");
        }
    }

    /**
     * The adapter's own base_model_name_or_path: a hub id or absolute path as it is; a relative path (as older t2l
     * versions wrote, e.g. ../../model) resolved against the adapter folder when it names a folder there.
     */
    private static String recordedBase(Path adapterDir) {
        var n = ai.t2l.io.Json.read(adapterDir.resolve(PeftAdapter.CONFIG)).get("base_model_name_or_path");
        if (n == null || !n.isTextual() || n.asText().isBlank()) {
            return null;
        }
        String s = n.asText();
        if (Path.of(s).isAbsolute()) {
            return s;
        }
        Path near = adapterDir.resolve(s).normalize();
        if (Files.isDirectory(near)) {
            return near.toAbsolutePath().toString();
        }
        return BaseModelRef.isHubId(s) && !s.startsWith(".") ? s : null;
    }

    private static String readDescription(Path adapterDir) {
        Path f = adapterDir.resolve("task_desc.txt");
        try {
            return Files.isRegularFile(f) ? Files.readString(f) : null;
        } catch (IOException e) {
            throw new T2lException(f + ": cannot read: " + e.getMessage(), e);
        }
    }
}
