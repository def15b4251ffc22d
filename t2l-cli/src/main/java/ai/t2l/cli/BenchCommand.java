package ai.t2l.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code t2l bench}: the workloads of BENCHMARKS-WORKLOADS.md, one subcommand each; results go to BENCHMARKS.md. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks (results go to BENCHMARKS.md).",
        subcommands = {BenchGenerateCommand.class, BenchDecodeCommand.class, BenchTrainCommand.class,
                BenchEvalCommand.class, BenchMachineCommand.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
