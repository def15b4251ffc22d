package ai.t2l.cli.train;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code t2l train}: the trainers of issue 4, one subcommand each. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train LoRAs, T2L hypernetworks and base models. Each takes --config FILE (YAML/JSON) and"
                + " --key value overrides.",
        subcommands = {TrainLoraCommand.class, TrainReconCommand.class, TrainSftCommand.class,
            TrainMtLoraCommand.class, TrainBaseCommand.class})
public final class TrainCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Adds each subcommand's settings and defaults to its --help (they are config keys, not picocli options). */
    public static void addSettingsHelp(CommandLine train) {
        for (CommandLine sub : train.getSubcommands().values()) {
            if (sub.getCommand() instanceof TrainRun r) {
                sub.getCommandSpec().usageMessage().footer(r.keysHelp());
            }
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
