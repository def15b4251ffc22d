package ai.t2l.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraBatch;
import ai.t2l.lora.LoraWeights;
import ai.t2l.model.ForwardInput;
import ai.t2l.model.KvCache;
import ai.t2l.model.Transformer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Autoregressive generation over the KV cache: one prefill of the (left-padded) prompts, then one token per step
 * for every row still running. The cache is kept and reused across calls; close the generator to free it.
 */
public final class Generator implements AutoCloseable {
    private final Transformer model;
    private final KvCache cache;

    public Generator(Transformer model) {
        this.model = model;
        this.cache = model.newCache();
    }

    public Generation generate(int[] prompt, LoraBatch lora, GenerationConfig cfg, TokenListener listener) {
        return generate(List.of(prompt), lora, cfg, listener).get(0);
    }

    /** One adapter per prompt (null: base model for that row). */
    public List<Generation> generateWithAdapters(List<int[]> prompts, List<LoraWeights> adapters,
            GenerationConfig cfg, TokenListener listener) {
        if (adapters.size() != prompts.size()) {
            throw new T2lException(prompts.size() + " prompts but " + adapters.size() + " adapters");
        }
        if (adapters.stream().allMatch(a -> a == null)) {
            return generate(prompts, null, cfg, listener);
        }
        try (LoraBatch lora = LoraBatch.of(model.manager(), adapters)) {
            return generate(prompts, lora, cfg, listener);
        }
    }

    /** Generates for several prompts at once (left padding); {@code lora} may be null, shared, or one per row. */
    public List<Generation> generate(List<int[]> prompts, LoraBatch lora, GenerationConfig cfg,
            TokenListener listener) {
        int b = prompts.size();
        int longest = prompts.stream().mapToInt(p -> p.length).max().orElse(0);
        if (b == 0 || prompts.stream().anyMatch(p -> p.length == 0)) {
            throw new T2lException("generate: every prompt needs at least one token");
        }
        int pad = model.config().padTokenId() == null ? 0 : model.config().padTokenId();
        int[][] ids = new int[b][longest];
        int[][] mask = new int[b][longest];
        for (int r = 0; r < b; r++) {
            int[] p = prompts.get(r);
            int offset = longest - p.length; // left padding: every row's last token is in the last column
            Arrays.fill(ids[r], 0, offset, pad);
            System.arraycopy(p, 0, ids[r], offset, p.length);
            Arrays.fill(mask[r], offset, longest, 1);
        }
        RandomGenerator[] rng = new RandomGenerator[b];
        for (int r = 0; r < b; r++) {
            rng[r] = new SplittableRandom(cfg.seed() * 0x9E3779B97F4A7C15L + r);
        }
        List<List<Integer>> out = new ArrayList<>();
        StopReason[] reason = new StopReason[b];
        String[] stop = new String[b];
        for (int r = 0; r < b; r++) {
            out.add(new ArrayList<>());
        }
        cache.reset();
        int vocab = model.config().vocabSize();
        int running = b;
        // Greedy picks the argmax in the engine and brings back one id per row instead of the logits.
        boolean greedy = cfg.sampler() == Sampler.GREEDY;
        float[] logits = step(ForwardInput.of(ids).withMask(mask), lora, greedy);
        for (int n = 0; n < cfg.maxNewTokens() && running > 0; n++) {
            int[][] next = new int[b][1];
            for (int r = 0; r < b; r++) {
                if (reason[r] != null) {
                    next[r][0] = pad; // a finished row keeps stepping with a pad; its output is ignored
                    continue;
                }
                int token = greedy ? (int) logits[r]
                        : cfg.sampler().sample(Arrays.copyOfRange(logits, r * vocab, (r + 1) * vocab), rng[r]);
                next[r][0] = token;
                List<Integer> row = out.get(r);
                row.add(token);
                listener.onToken(r, token);
                if (cfg.eosIds().contains(token)) {
                    reason[r] = StopReason.EOS;
                } else if (!cfg.stopStrings().isEmpty()) {
                    String text = cfg.decoder().apply(row.stream().mapToInt(Integer::intValue).toArray());
                    for (String s : cfg.stopStrings()) {
                        if (text.contains(s)) {
                            reason[r] = StopReason.STOP_STRING;
                            stop[r] = s;
                            break;
                        }
                    }
                }
                running -= reason[r] != null ? 1 : 0;
            }
            if (running > 0 && n + 1 < cfg.maxNewTokens()) {
                logits = step(ForwardInput.of(next), lora, greedy);
            }
        }
        List<Generation> result = new ArrayList<>();
        for (int r = 0; r < b; r++) {
            result.add(new Generation(out.get(r).stream().mapToInt(Integer::intValue).toArray(),
                    reason[r] == null ? StopReason.MAX_TOKENS : reason[r], stop[r]));
        }
        return result;
    }

    private float[] step(ForwardInput in, LoraBatch lora, boolean argmax) {
        return lastStep(model, cache, in, lora, argmax);
    }

    /**
     * Last-position logits (batch * vocab) of one forward step over {@code cache}, or with argmax the ids (batch);
     * also the step of {@link BatchingDecoder}.
     */
    static float[] lastStep(Transformer model, KvCache cache, ForwardInput in, LoraBatch lora, boolean argmax) {
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray logits = model.forward(scope, in.withCache(cache).withLastOnly().withLora(lora)).logits();
            if (!argmax) {
                return logits.toFloatArray();
            }
            long[] ids = logits.argMax(-1).toLongArray(); // torch.argmax: first index among equal maxima
            float[] out = new float[ids.length];
            for (int i = 0; i < ids.length; i++) {
                out[i] = ids[i];
            }
            return out;
        }
    }

    @Override
    public void close() {
        cache.close();
    }
}
