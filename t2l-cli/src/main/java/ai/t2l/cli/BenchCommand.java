package ai.t2l.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code t2l bench}: the workloads of BENCHMARKS-WORKLOADS.md; one subcommand each. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks (results go to BENCHMARKS.md).",
        subcommands = {BenchDecodeCommand.class})
public final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
