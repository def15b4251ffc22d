package ai.t2l.export;

import ai.t2l.io.GgufWriter;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraWeights;
import ai.t2l.model.AdapterCheck;
import ai.t2l.model.ModelConfig;
import java.nio.file.Path;

/**
 * A LoRA adapter as a GGUF adapter file for llama.cpp ({@code --lora}) and Ollama ({@code ADAPTER}), laid out as
 * llama.cpp's convert_lora_to_gguf.py writes one: {@code general.type = adapter}, {@code adapter.type = lora},
 * {@code adapter.lora.alpha}, the base's {@code general.architecture}, and per projection
 * {@code blk.N.attn_q.weight.lora_a} ([r, in] row-major) and {@code .lora_b} ([out, r], rows permuted like the base
 * weight's). llama.cpp checks both against the base tensor (llama-adapter.cpp).
 *
 * <p>Alpha: llama.cpp scales by {@code alpha / r} (llama-graph.cpp, build_lora_mm), with no rsLoRA. We write the
 * alpha that gives our scaling ({@code scaling * r}: for T2L's rsLoRA alpha 16, r 8 that is 16*sqrt(8) = 45.25), so
 * the adapter computes what PEFT computes. convert_lora_to_gguf.py copies lora_alpha as is and so gets rsLoRA
 * adapters wrong by a factor sqrt(r).
 */
public final class GgufAdapterExport {
    private GgufAdapterExport() {}

    /** The alpha llama.cpp needs to reproduce our scaling with its alpha/r. */
    public static float llamaCppAlpha(LoraWeights w) {
        return (float) (w.config().scaling() * w.config().r());
    }

    public static void write(LoraWeights w, ModelConfig base, String source, Path out, GgufWriter.TensorType type,
            String name) {
        AdapterCheck.check(base, w, source);
        if (w.pairs().isEmpty()) {
            throw new T2lException(source + ": the adapter has no LoRA tensors");
        }
        for (var e : w.pairs().entrySet()) {
            if (e.getValue().rank() != w.config().r()) {
                throw new T2lException(source + ": layer " + e.getKey().layer() + " " + e.getKey().module()
                        + " has rank " + e.getValue().rank() + ", the config's r is " + w.config().r()
                        + " (one alpha/r per GGUF adapter)");
            }
        }
        GgufWriter g = new GgufWriter();
        g.putString("general.architecture", GgufLayout.architecture(base.family()));
        g.putString("general.type", "adapter");
        if (name != null) {
            g.putString("general.name", name);
        }
        g.putString("adapter.type", "lora");
        g.putF32("adapter.lora.alpha", llamaCppAlpha(w));
        w.pairs().forEach((site, p) -> {
            String t = GgufLayout.projection(site.layer(), site.module());
            int heads = GgufLayout.permuteHeads(base, site.module());
            g.addTensor(t + ".lora_a", p.a().shape(), type, () -> p.a().data());
            g.addTensor(t + ".lora_b", p.b().shape(), type, () -> GgufLayout.permuteRows(p.b().data(),
                    p.b().shape()[0], p.b().shape()[1], heads, source + " " + t + ".lora_b"));
        });
        g.write(out);
    }
}
