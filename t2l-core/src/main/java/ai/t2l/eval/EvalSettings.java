package ai.t2l.eval;

import ai.t2l.lora.LoraScale;
import java.nio.file.Path;

/**
 * How a run is done. {@code limit} 0 = every item (else the first N in file order); {@code batchSize} 0 =
 * the model's preference; {@code maxNewTokens} 512 as the reference's vLLM SamplingParams (spec §8.1);
 * {@code loraScale}: how adapters are scaled (see {@link LoraScale}; the adapter's own by default).
 */
public record EvalSettings(Path benchmarksDir, Path outDir, int limit, int batchSize, int maxNewTokens, Scorer scorer,
                           LoraScale loraScale) {
    public static final int MAX_NEW_TOKENS = 512;

    public static EvalSettings of(Path benchmarksDir, Path outDir) {
        return new EvalSettings(benchmarksDir, outDir, 0, 0, MAX_NEW_TOKENS, new Scorer(), LoraScale.ADAPTER);
    }

    public EvalSettings withLimit(int n) {
        return new EvalSettings(benchmarksDir, outDir, n, batchSize, maxNewTokens, scorer, loraScale);
    }

    public EvalSettings withBatchSize(int n) {
        return new EvalSettings(benchmarksDir, outDir, limit, n, maxNewTokens, scorer, loraScale);
    }

    public EvalSettings withMaxNewTokens(int n) {
        return new EvalSettings(benchmarksDir, outDir, limit, batchSize, n, scorer, loraScale);
    }

    public EvalSettings withScorer(Scorer s) {
        return new EvalSettings(benchmarksDir, outDir, limit, batchSize, maxNewTokens, s, loraScale);
    }

    public EvalSettings withLoraScale(LoraScale s) {
        return new EvalSettings(benchmarksDir, outDir, limit, batchSize, maxNewTokens, scorer, s);
    }
}
