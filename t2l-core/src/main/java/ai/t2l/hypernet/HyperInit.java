package ai.t2l.hypernet;

import ai.t2l.io.FloatTensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Fresh weights for a HyperModulator, seeded and deterministic (T2L-SPEC §2.8). Every tensor draws from its own
 * stream derived from (seed, tensor name), so the result does not depend on iteration order. The distributions are
 * PyTorch's defaults; the draws themselves cannot match torch's generator bit for bit.
 * <ul>
 *   <li>Linear: weight and bias U(−1/√fan_in, 1/√fan_in) (kaiming_uniform a=√5); LayerNorm 1/0; Embedding and
 *       out_emb N(0, 1).</li>
 *   <li>SFT: head weights 0 ({@code zero_init_head}); with a head bias, Bias-HyperInit sets the bias from the PEFT
 *       initial LoRA of the module ({@link #initialLoraA}; B0 = 0): L: [A0, B0]; M: A0/√2; S: A0[:max(in,out)]/√2/√r;
 *       L_AUTOREG: A0[:in+out]/√r.</li>
 *   <li>Recon: PyTorch default init for the heads too.</li>
 *   <li>AB_offset, mean_recon_target, std_recon_target: zeros (filled later by training from a multi-task LoRA or
 *       the oracle LoRA statistics).</li>
 * </ul>
 */
public final class HyperInit {
    private HyperInit() {}

    public static Map<String, FloatTensor> initialState(HyperConfig c, long seed) {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        c.bufferShapes().forEach((k, s) -> out.put(k, zeros(s)));
        c.parameterShapes().forEach((k, s) -> out.put(k, initParameter(c, seed, k, s)));
        return out;
    }

    /**
     * The PEFT initial lora_A of a module (what PEFT's layer 0 would get): kaiming-uniform(a=√5) on (r, in), i.e.
     * U(−1/√in, 1/√in). Deterministic in (seed, module).
     */
    public static FloatTensor initialLoraA(HyperConfig c, long seed, String module) {
        int in = c.dims(module).in();
        return uniform(new long[] {c.rank(), in}, 1 / Math.sqrt(in), rng(seed, "peft_lora_A0." + module));
    }

    private static FloatTensor initParameter(HyperConfig c, long seed, String name, long[] shape) {
        if (name.startsWith("heads.")) {
            return initHead(c, seed, name, shape);
        }
        boolean isNorm = name.startsWith("task_encoder.mlp.1.") || name.matches("layer_(depth|type)_encoder\\.1\\..*")
                || name.matches("mlp[12]\\.mlp\\.0\\..*") || name.startsWith("mlp3.0.")
                || name.startsWith("out_emb_norm.") || name.startsWith("pos_emb.1.");
        if (isNorm) {
            return name.endsWith(".weight") ? filled(shape, 1f) : zeros(shape);
        }
        if (name.endsWith(".0.weight") && (name.startsWith("layer_") || name.startsWith("pos_emb"))
                || name.startsWith("out_emb.")) {
            return normal(shape, rng(seed, name));
        }
        return uniform(shape, 1 / Math.sqrt(fanIn(c, name, shape)), rng(seed, name)); // Linear weight or bias
    }

    private static FloatTensor initHead(HyperConfig c, long seed, String name, long[] shape) {
        String module = name.substring("heads.".length(), name.lastIndexOf('.'));
        boolean weight = name.endsWith(".weight");
        boolean sft = c.trainingTask() == TrainingTask.SFT;
        if (!sft) {
            return uniform(shape, 1 / Math.sqrt(c.headInSize()), rng(seed, name));
        }
        if (weight) {
            return zeros(shape); // zero_init_head, and Bias-HyperInit zeroes them anyway
        }
        return new FloatTensor(biasHyperInit(c, seed, module), shape);
    }

    /** The head bias that makes the fresh hypernet emit the PEFT initial LoRA (T2L-SPEC §2.8). */
    static float[] biasHyperInit(HyperConfig c, long seed, String module) {
        float[] a0 = initialLoraA(c, seed, module).data();
        HyperConfig.ModuleDims d = c.dims(module);
        int size = c.headOutSize(module);
        double r = c.rank();
        float[] bias = new float[size];
        switch (c.variant()) {
            case L -> System.arraycopy(a0, 0, bias, 0, a0.length); // then B0 = 0
            case M -> {
                if (d.in() < d.out()) {
                    // the reference copies r*in values into an r*out bias and fails; so do we, clearly
                    throw new IllegalArgumentException("Bias-HyperInit of the M variant needs in >= out for module "
                            + module + " (in " + d.in() + ", out " + d.out() + ")");
                }
                for (int i = 0; i < size; i++) {
                    bias[i] = (float) (a0[i] / Math.sqrt(2));
                }
            }
            case S -> {
                for (int i = 0; i < size; i++) {
                    bias[i] = (float) (a0[i] / Math.sqrt(2) / Math.sqrt(r));
                }
            }
            case L_AUTOREG -> {
                for (int i = 0; i < size; i++) {
                    bias[i] = (float) (a0[i] / Math.sqrt(r));
                }
            }
        }
        return bias;
    }

    private static long fanIn(HyperConfig c, String name, long[] shape) {
        if (shape.length == 2) {
            return shape[1];
        }
        // a bias: its fan_in is the matching weight's input width
        long[] w = c.parameterShapes().get(name.substring(0, name.length() - "bias".length()) + "weight");
        return w[1];
    }

    private static SplittableRandom rng(long seed, String name) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
    }

    private static FloatTensor zeros(long[] shape) {
        return new FloatTensor(new float[Math.toIntExact(FloatTensor.numel(shape))], shape.clone());
    }

    private static FloatTensor filled(long[] shape, float v) {
        float[] d = new float[Math.toIntExact(FloatTensor.numel(shape))];
        Arrays.fill(d, v);
        return new FloatTensor(d, shape.clone());
    }

    private static FloatTensor uniform(long[] shape, double bound, SplittableRandom r) {
        float[] d = new float[Math.toIntExact(FloatTensor.numel(shape))];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) ((r.nextDouble() * 2 - 1) * bound);
        }
        return new FloatTensor(d, shape.clone());
    }

    private static FloatTensor normal(long[] shape, SplittableRandom r) {
        float[] d = new float[Math.toIntExact(FloatTensor.numel(shape))];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) r.nextGaussian();
        }
        return new FloatTensor(d, shape.clone());
    }
}
