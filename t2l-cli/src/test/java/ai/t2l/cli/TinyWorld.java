package ai.t2l.cli;

import ai.t2l.hypernet.HyperConfig;
import ai.t2l.hypernet.HyperModulator;
import ai.t2l.hypernet.Provenance;
import ai.t2l.hypernet.T2lFolder;
import ai.t2l.hypernet.TrainingTask;
import ai.t2l.hypernet.Variant;
import ai.t2l.miniature.MiniTokenizer;
import ai.t2l.model.ModelConfig;
import ai.t2l.model.RandomModelFolder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Test fixtures for the CLI: a tiny random Llama folder with the miniature's character tokenizer (wide weights, so
 * greedy choices do not hinge on rounding), and a freshly initialised 384-d T2L checkpoint for it (bge-small width).
 */
final class TinyWorld {
    private TinyWorld() {}

    static Path model(Path dir, long seed) {
        var cfg = RandomModelFolder.llamaConfig(MiniTokenizer.vocabSize(), 32, 2, 4, 2, 64)
                .put("bos_token_id", 1).put("eos_token_id", 2).put("pad_token_id", 0);
        RandomModelFolder.write(dir, cfg, seed, 0.5);
        MiniTokenizer.write(dir);
        return dir;
    }

    /**
     * A fresh SFT hypernetwork of variant L: Bias-HyperInit makes every generated B zero (spec §2.8; M and S keep a
     * non-zero B bias), so its adapters change nothing.
     */
    static Path freshT2l(Path dir, Path modelDir) {
        return t2l(dir, modelDir, 384, TrainingTask.SFT, "bge-small-en-v1.5 (bundled)");
    }

    /** A freshly initialised L hypernetwork; RECON's default init makes adapters depend on the description. */
    static Path t2l(Path dir, Path modelDir, int embDim, TrainingTask task, String embModel) {
        HyperConfig c = HyperConfig.builder().variant(Variant.L).latentSize(16).headInSize(32).taskEmbDim(embDim)
                .dimsFrom(ModelConfig.read(modelDir)).trainingTask(task).predZScore(false).factorized(true)
                .embModel(embModel).baseModel(modelDir.toString()).build();
        try (HyperModulator h = HyperModulator.create(c, 5, null)) {
            T2lFolder.save(dir, h, Provenance.now("test", "TinyWorld.freshT2l", Map.of()), false);
        }
        return dir;
    }

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
