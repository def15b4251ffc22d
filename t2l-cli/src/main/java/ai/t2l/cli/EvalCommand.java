package ai.t2l.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code t2l eval}: the paper's ten benchmarks (run, score, report). */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate on the paper's ten benchmarks (spec §8).",
        subcommands = {EvalRunCommand.class, EvalScoreCommand.class, EvalReportCommand.class})
public final class EvalCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
