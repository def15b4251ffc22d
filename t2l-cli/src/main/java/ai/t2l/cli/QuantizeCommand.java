package ai.t2l.cli;

import ai.t2l.model.QuantizedFolder;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code t2l quantize}: saves a model folder with int8 (Q8_0-layout) matrices, loadable without quantizing again. */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = "Write a copy of a model folder whose matrices are int8 blocks of 32 with float32 scales"
                + " (docs/WEIGHTS.md); run/serve/eval load it as int8.")
public final class QuantizeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face model folder")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "new folder (must not hold a model)")
    Path out;

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        QuantizedFolder.write(model, out);
        System.out.printf("wrote %s (int8 blocks of 32 + float32 scales) in %.1f s%n", out,
                (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
