package ai.t2l.cli;

import ai.t2l.inspect.Inspector;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Summarise a safetensors file, a model folder, an adapter folder or a T2L folder.")
final class InspectCommand implements Runnable {
    @Parameters(paramLabel = "PATH", description = "file or folder to describe")
    Path path;

    @Option(names = "--all", description = "List every tensor (default: per-layer tensors once, with totals)")
    boolean all;

    @Override
    public void run() {
        System.out.print(Inspector.inspect(path, all));
    }
}
