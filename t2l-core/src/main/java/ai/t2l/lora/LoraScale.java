package ai.t2l.lora;

import ai.t2l.io.T2lException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Which scale an adapter is applied with at evaluation (issue 12 item 7, spec §8.1 QUIRK, §12 item 4).
 * <ul>
 *   <li>{@link #ADAPTER}: the adapter config's own scale, PEFT semantics: alpha/√r with {@code use_rslora} (T2L:
 *       16/√8 ≈ 5.657), alpha/r without. This is what the training hooks used, what HF PEFT (the reference's web
 *       UI) and vLLM since PR #6909 / issue #10798 apply. Our default.</li>
 *   <li>{@link #VLLM_0_5_4}: alpha/r whatever {@code use_rslora} says (T2L: 2.0, i.e. 1/√8 ≈ 0.354 of the
 *       training-time strength), as the reference's pinned vLLM 0.5.4 applied adapters; the reference's reported
 *       LoRA, MT-LoRA and T2L numbers were most likely obtained this way. Use it to reproduce those tables.</li>
 * </ul>
 */
public enum LoraScale {
    ADAPTER("adapter"),
    VLLM_0_5_4("vllm-0.5.4");

    private final String id;

    LoraScale(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** The adapter as this scale applies it: the same A and B, with the config whose scaling() is the one used. */
    public LoraWeights apply(LoraWeights w) {
        if (this == ADAPTER || !w.config().useRslora()) {
            return w;
        }
        LoraConfig c = w.config();
        return new LoraWeights(new LoraConfig(c.r(), c.alpha(), false, c.dropout(), c.targetModules()), w.pairs());
    }

    public static LoraScale parse(String s) {
        for (LoraScale v : values()) {
            if (v.id.equals(s.toLowerCase(Locale.ROOT))) {
                return v;
            }
        }
        throw new T2lException("unknown LoRA scale '" + s + "'; expected one of "
                + Arrays.stream(values()).map(LoraScale::id).toList());
    }
}
