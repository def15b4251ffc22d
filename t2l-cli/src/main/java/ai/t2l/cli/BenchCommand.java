package ai.t2l.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code t2l bench}: benchmarks of BENCHMARKS-WORKLOADS.md, one subcommand each. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks (see BENCHMARKS.md).",
        subcommands = {BenchGenerateCommand.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
