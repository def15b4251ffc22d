package ai.t2l.cli;

import ai.djl.ndarray.NDManager;
import ai.t2l.embed.OnnxTaskEmbedder;
import ai.t2l.embed.TaskEmbedding;
import ai.t2l.hypernet.HypernetCheckpoint;
import ai.t2l.hypernet.T2lFolder;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraWeights;
import ai.t2l.miniature.Example;
import ai.t2l.miniature.Split;
import ai.t2l.miniature.Task;
import ai.t2l.miniature.TaskWorld;
import ai.t2l.miniature.build.MiniGenerate;
import ai.t2l.miniature.build.MiniHome;
import ai.t2l.miniature.build.MiniLayout;
import ai.t2l.model.Transformer;
import ai.t2l.tokenizer.ChatFormat;
import ai.t2l.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code t2l demo}: offline, on the embedded miniature. For a seen task, a held-out task and any --description, it
 * generates an adapter from the description and shows the base model's and the adapted model's answers.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Describe a task, get a LoRA, see it work: offline, on the embedded miniature model.")
public final class DemoCommand implements Callable<Integer> {
    /**
     * Built-in demo tasks: two the T2L model was trained on and one it never saw (unseen combination), picked from
     * validation words (the per-task validation list that {@code t2l miniature eval} prints), not from test results.
     */
    static final List<String> BUILT_IN = List.of("shift-1_quotes", "last-2_brackets", "swap_parens");

    @Spec
    CommandSpec spec;

    @Option(names = "--description", paramLabel = "TEXT", description = "Your own task description (may repeat)")
    List<String> descriptions = new ArrayList<>();

    @Option(names = "--dir", paramLabel = "DIR", description = "Miniature folder (default: miniature/ in the repository)")
    Path dir;

    @Option(names = "--t2l", paramLabel = "NAME", defaultValue = "sft-L",
            description = "Which T2L model of the miniature: recon-M, sft-L, sft-M, sft-S (default: ${DEFAULT-VALUE})")
    String t2l;

    @Option(names = "--examples", paramLabel = "N", defaultValue = "5", description = "Example inputs per task")
    int examples;

    @Override
    public Integer call() {
        MiniHome.singleThreadedUnlessSet();
        Path d = dir != null ? dir : MiniHome.defaultDir();
        Path modelDir = d.resolve(MiniLayout.MODEL);
        if (!Files.exists(modelDir.resolve("config.json"))) {
            throw new T2lException(d + ": no miniature here (expected " + modelDir + "/config.json); build it with"
                    + " 't2l miniature build' or pass --dir");
        }
        PrintWriter out = spec.commandLine().getOut();
        TaskWorld world = TaskWorld.standard();
        try (Transformer model = Transformer.load(modelDir);
                Tokenizer tok = Tokenizer.open(modelDir.resolve("tokenizer.json"));
                NDManager m = NDManager.newBaseManager("PyTorch");
                HypernetCheckpoint ck = T2lFolder.load(d.resolve(MiniLayout.t2l(t2l)), m);
                OnnxTaskEmbedder embedder = OnnxTaskEmbedder.bundled()) {
            ChatFormat format = ChatFormat.forModel(modelDir);
            out.printf("miniature T2L '%s' (%s), base model %s: %d layers, hidden %d%n%n", t2l, d,
                    modelDir, model.config().numLayers(), model.config().hiddenSize());
            List<Case> cases = new ArrayList<>();
            for (String name : BUILT_IN) {
                Task t = world.task(name);
                cases.add(new Case(t.evalDescriptions().get(0), t, (t.role() == Task.Role.TRAIN ? "seen" : "held-out")
                        + " task " + t.name()));
            }
            descriptions.forEach(x -> cases.add(new Case(x, null, "your description")));
            // inputs for user descriptions: test words (any task's test split gives the same words' distribution)
            List<Example> shared = world.examples(world.task(BUILT_IN.get(0)), Split.TEST, examples, 1);
            for (Case c : cases) {
                long t0 = System.nanoTime();
                TaskEmbedding e = embedder.embed(c.description());
                long t1 = System.nanoTime();
                LoraWeights w = ck.hypernet().generate(e.vector());
                long t2 = System.nanoTime();
                out.printf("%s: \"%s\"%n", c.label(), c.description());
                out.printf("  adapter generated in %.1f ms (embedding %.1f ms + hypernetwork %.1f ms), %,d values%n",
                        (t2 - t0) / 1e6, (t1 - t0) / 1e6, (t2 - t1) / 1e6, w.numel());
                List<Example> ex = c.task() == null ? shared : world.examples(c.task(), Split.TEST, examples, 1);
                // a known task is asked as its examples are (after its cue, for the cued families); a user's own
                // description gets the bare words
                List<String> inputs = ex.stream().map(c.task() == null ? Example::input : Example::prompt).toList();
                List<String> base = MiniGenerate.answers(model, tok, format, inputs, Collections.nCopies(inputs.size(), null));
                List<String> adapted = MiniGenerate.answers(model, tok, format, inputs, Collections.nCopies(inputs.size(), w));
                // the input column fits the longest prompt (cued tasks ask "first 2, in brackets: word")
                String row = "  %-" + Math.max(10, inputs.stream().mapToInt(String::length).max().orElse(0))
                        + "s %-22s %-22s %-22s%n";
                out.printf(row, "input", "base model", "with T2L adapter", "expected");
                for (int i = 0; i < ex.size(); i++) {
                    String want = c.task() == null ? "-" : ex.get(i).response();
                    String mark = c.task() == null ? "" : (TaskWorld.score(c.task(), adapted.get(i), ex.get(i)) ? " ok" : " x");
                    out.printf(row, inputs.get(i), base.get(i), adapted.get(i) + mark, want);
                }
                out.println();
            }
        }
        return 0;
    }

    private record Case(String description, Task task, String label) {}
}
