package ai.t2l.cli;

import ai.t2l.embed.OnnxTaskEmbedder;
import ai.t2l.io.GitCommit;
import ai.t2l.io.T2lException;
import ai.t2l.miniature.build.MiniHome;
import ai.t2l.miniature.build.MiniSettings;
import ai.t2l.miniature.build.MiniatureBuild;
import ai.t2l.miniature.build.MiniatureEval;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code t2l miniature build|eval}: the embedded default world (DESIGN §4). */
@Command(name = "miniature", mixinStandardHelpOptions = true,
        description = "Build or evaluate the embedded miniature T2L world (tiny Llama, oracle LoRAs, T2L models).",
        subcommands = {MiniatureCommand.Build.class, MiniatureCommand.Eval.class})
public final class MiniatureCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "build", mixinStandardHelpOptions = true,
            description = "Train the miniature (resumable: up-to-date stages are kept). About 25 min on 2 cores (PyTorch on"
                    + " one thread per process).")
    static final class Build implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: miniature/ in the repository)")
        Path out;

        @Option(names = "--seed", paramLabel = "S", description = "Seed of every random choice (default: 42)")
        Long seed;

        @Option(names = "--reduced", description = "A tiny build of the same pipeline (tests, smoke checks)")
        boolean reduced;

        @Option(names = "--jobs", paramLabel = "1|2", description = "Processes: 2 trains the base model on both"
                + " (each step's batch in halves), then builds the embeddings, sft-S and sft-L in a second JVM beside"
                + " the other stages (same bytes as 1; default: 2 when the machine has 2 cores or more)")
        Integer jobs;

        /**
         * The second process of --jobs 2: only these stages (or model-second-half: the other half of each base-model
         * step), the ones they read must be built.
         */
        @Option(names = "--only", paramLabel = "STAGE,...", split = ",", hidden = true)
        java.util.Set<String> only;

        @Override
        public Integer call() {
            MiniHome.singleThreadedUnlessSet();
            MiniSettings s = reduced ? MiniSettings.reduced() : MiniSettings.standard();
            if (seed != null) {
                s = s.withSeed(seed);
            }
            Path dir = out != null ? out : MiniHome.defaultDir();
            var err = spec.commandLine().getErr();
            err.println("building the miniature in " + dir + " (seed " + s.seed() + ")");
            MiniatureBuild build = new MiniatureBuild(dir, s, OnnxTaskEmbedder::bundled, new BarProgress(err),
                    GitCommit.of(Paths.get(System.getProperty("t2l.home", "."))));
            if (only != null) {
                build.runOnly(only);
                return 0;
            }
            int processes = jobs != null ? jobs : Runtime.getRuntime().availableProcessors() >= 2 ? 2 : 1;
            if (processes != 1 && processes != 2) {
                throw new T2lException("--jobs must be 1 or 2, found " + processes);
            }
            JsonNode prov = processes == 2 ? build.run(new SecondBuildProcess(dir, s.seed(), reduced, err)) : build.run();
            spec.commandLine().getOut().printf("miniature built in %s: %.1f s this run; provenance in %s%n", dir,
                    prov.path("this_run_seconds").asDouble(), dir.resolve("provenance.json"));
            return 0;
        }
    }

    @Command(name = "eval", mixinStandardHelpOptions = true,
            description = "Evaluate the miniature; writes docs/MINIATURE.md and docs/miniature.svg.")
    static final class Eval implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--dir", paramLabel = "DIR", description = "Miniature folder (default: miniature/ in the repository)")
        Path dir;

        @Option(names = "--docs", paramLabel = "DIR", description = "Where MINIATURE.md and miniature.svg go (default: docs/ in the repository)")
        Path docs;

        @Option(names = "--test-examples", paramLabel = "N", defaultValue = "32",
                description = "Test examples per task and condition (default: ${DEFAULT-VALUE})")
        int testExamples;

        @Option(names = "--lora-scale", paramLabel = "adapter|vllm-0.5.4", defaultValue = "adapter",
                description = "Adapter scale (see docs/FIDELITY.md; default: the adapter's own)")
        String loraScale;

        @Override
        public Integer call() {
            MiniHome.singleThreadedUnlessSet();
            Path d = dir != null ? dir : MiniHome.defaultDir();
            Path docDir = docs != null ? docs
                    : Paths.get(System.getProperty("t2l.home", ".")).resolve("docs");
            var err = spec.commandLine().getErr();
            try (OnnxTaskEmbedder emb = OnnxTaskEmbedder.bundled()) {
                ai.t2l.miniature.build.Report r = new MiniatureEval(d, emb, testExamples, new BarProgress(err))
                        .withLoraScale(ai.t2l.lora.LoraScale.parse(loraScale)).run();
                r.write(docDir, "t2l miniature eval --test-examples " + testExamples
                        + (loraScale.equals("adapter") ? "" : " --lora-scale " + loraScale));
                spec.commandLine().getOut().print(r.summary());
                spec.commandLine().getOut().flush(); // the summary is long: do not lose its tail at exit
            }
            return 0;
        }
    }
}
