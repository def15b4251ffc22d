package ai.t2l.cli;

import ai.t2l.eval.runtime.EvalWiring;
import ai.t2l.io.T2lException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code t2l} command line: one class per subcommand, registered here. */
@Command(name = "t2l", mixinStandardHelpOptions = true, version = "t2l 0.1.0",
        description = "Text-to-LoRA on the JVM: describe a task, get a LoRA adapter.",
        subcommands = {
            CommandLine.HelpCommand.class,
            InspectCommand.class,
            PromptCommand.class,
            MiniatureCommand.class,
            DemoCommand.class,
            GenerateCommand.class,
            ExportCommand.class,
            LogitsCommand.class,
            EmbedCommand.class,
            QuantizeCommand.class,
            MixCommand.class,
            ai.t2l.cli.train.TrainCommand.class,
            RunCommand.class,
            BenchCommand.class,
            EvalCommand.class,
            ServeCommand.class,
        })
public final class Main implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code; user errors print one clear line, not a stack trace. */
    public static int execute(String... args) {
        EvalWiring.register(); // t2l eval run opens models through the runtime (EvalRuntime)
        CommandLine cl = new CommandLine(new Main());
        ai.t2l.cli.train.TrainCommand.addSettingsHelp(cl.getSubcommands().get("train"));
        // Java 17 writes System.out in the locale's charset (often ASCII in containers): prompts need UTF-8
        cl.setOut(new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
        // An unknown option is the real mistake when it also leaves a required one unset (a misspelt --out): say so
        // instead of "Missing required option" (issue 10 item 19).
        CommandLine.IParameterExceptionHandler parseErrors = cl.getParameterExceptionHandler();
        cl.setParameterExceptionHandler((ex, parsed) -> {
            CommandLine at = ex.getCommandLine();
            if (ex instanceof CommandLine.MissingParameterException && !at.getUnmatchedArguments().isEmpty()) {
                ex = new CommandLine.UnmatchedArgumentException(at, at.getUnmatchedArguments());
            }
            return parseErrors.handleParseException(ex, parsed);
        });
        cl.setExecutionExceptionHandler((ex, line, parse) -> {
            Throwable t = ex;
            while (!(t instanceof T2lException) && t.getCause() != null && t.getCause() != t) {
                t = t.getCause();
            }
            if (t instanceof T2lException) {
                line.getErr().println("error: " + t.getMessage());
                return 1;
            }
            throw ex;
        });
        return cl.execute(args);
    }
}
