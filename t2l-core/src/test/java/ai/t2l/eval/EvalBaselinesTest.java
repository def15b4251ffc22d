package ai.t2l.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.Shared;
import ai.t2l.eval.bench.Benchmark;
import ai.t2l.eval.bench.Benchmarks;
import ai.t2l.eval.bench.Item;
import ai.t2l.eval.report.CombinedTable;
import ai.t2l.eval.report.Report;
import ai.t2l.eval.t2l.T2lMode;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraScale;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The paper's baselines in {@code t2l eval run --t2l} (spec §9), with stand-ins for the model and the hypernetwork:
 * the one-hot protocol follows a one-hot checkpoint, the Hyperdecoders' protocol answers each item with its own
 * adapter, and both land as labelled rows of the combined report.
 */
class EvalBaselinesTest {
    private static final Path DATA = Shared.data("benchmarks");

    @TempDir
    Path tmp;

    /** A stand-in generator: records what it was asked, writes empty adapter folders, answers per prompt. */
    static final class Recorder implements AdapterGenerator {
        final List<float[]> inputs = new ArrayList<>();
        final List<ChatPrompt> perPrompt = new ArrayList<>();
        int opened;

        @Override
        public Path generate(String description, Path adapterDir) {
            throw new AssertionError("no description may be embedded by these protocols: " + description);
        }

        @Override
        public Path generate(float[] taskInput, String input, Path adapterDir) {
            inputs.add(taskInput.clone());
            try {
                Files.createDirectories(adapterDir);
                Files.writeString(adapterDir.resolve("adapter_config.json"), "{}");
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
            return adapterDir;
        }

        @Override
        public CompletionModel perPromptModel(Path modelDir, LoraScale scale) {
            return (prompts, max) -> {
                perPrompt.addAll(prompts);
                return prompts.stream().map(p -> "0").toList();
            };
        }
    }

    private Recorder register(T2lMode.Checkpoint kind) {
        Recorder r = new Recorder();
        EvalRuntime.registerGenerators(new EvalRuntime.GeneratorFactory() {
            @Override
            public AdapterGenerator open(Path t2lDir, Path modelDir) {
                r.opened++;
                return r;
            }

            @Override
            public T2lMode.Checkpoint describe(Path t2lDir, Path modelDir) {
                return kind;
            }
        });
        EvalRuntime.registerModels((m, ad) -> new FakeModel(new HashMap<>(), 4, -1));
        return r;
    }

    private EvalRequest request(Path out, String tasks, T2lMode mode) {
        return new EvalRequest(tmp.resolve("m"), Optional.empty(), Optional.of(tmp.resolve("ckpt")),
                Benchmarks.parse(tasks), PromptOptions.BASE, EvalSettings.of(DATA, out).withLimit(2), null, 7)
                .withT2lMode(mode);
    }

    @Test
    void aOneHotCheckpointGetsTheOneHotProtocolAndItsRows() {
        Recorder r = register(new T2lMode.Checkpoint(T2lMode.ONE_HOT, List.of("upper", "piqa", "reverse")));
        Path out = tmp.resolve("one-hot");
        CombinedTable t = Evaluation.run(request(out, "piqa", null), ProgressListener.NONE);
        assertEquals(List.of("One-hot T2L (other_train_descs: another task's id)",
                "One-hot T2L (random_descs: Dirichlet mixtures)", "One-hot T2L (train_descs: own task id)"),
                t.rows().stream().map(CombinedTable.Row::label).sorted().toList());
        assertEquals(5, r.inputs.size(), "own id, another id, 3 mixtures");
        assertArrayEquals(new float[] {0, 1, 0}, r.inputs.get(0));
        assertTrue(Files.isRegularFile(out.resolve("generated_loras/piqa/random_descs/lora_2/adapter_config.json")));
        assertTrue(Files.isRegularFile(out.resolve("t2l_plan.json")));

        // a benchmark the checkpoint was not trained on: refused before anything is generated
        int before = r.inputs.size();
        T2lException e = assertThrows(T2lException.class,
                () -> Evaluation.run(request(tmp.resolve("unseen"), "piqa,arc_easy", null), ProgressListener.NONE));
        assertTrue(e.getMessage().contains("\"arc_easy\" is not one of its 3 training tasks"), e.getMessage());
        assertEquals(before, r.inputs.size());
    }

    @Test
    void protocolsTheCheckpointCannotFollowAreRefused() {
        register(new T2lMode.Checkpoint(T2lMode.ONE_HOT, List.of("piqa")));
        T2lException a = assertThrows(T2lException.class, () -> Evaluation.run(
                request(tmp.resolve("a"), "piqa", T2lMode.HYPERDECODER), ProgressListener.NONE));
        assertTrue(a.getMessage().contains("a one-hot T2L reads one-hot task ids, not text"), a.getMessage());
        register(T2lMode.Checkpoint.DESCRIPTION_CONDITIONED);
        T2lException b = assertThrows(T2lException.class, () -> Evaluation.run(
                request(tmp.resolve("b"), "piqa", T2lMode.ONE_HOT), ProgressListener.NONE));
        assertTrue(b.getMessage().contains("not a one-hot T2L"), b.getMessage());
        T2lException c = assertThrows(T2lException.class, () -> Evaluation.run(
                request(tmp.resolve("c"), "piqa", T2lMode.DESCRIPTIONS), ProgressListener.NONE));
        assertTrue(c.getMessage().contains("--descriptions DIR"), c.getMessage());
    }

    @Test
    void hyperdecodersAnswerEveryItemFromItsOwnPromptAndResumeFromTheCache() {
        Recorder r = register(new T2lMode.Checkpoint(T2lMode.HYPERDECODER, List.of()));
        Path out = tmp.resolve("hd");
        CombinedTable t = Evaluation.run(request(out, "piqa,arc_easy", null), ProgressListener.NONE);
        assertEquals(List.of(Evaluation.HYPERDECODER_ROW), t.rows().stream().map(CombinedTable.Row::label).toList());
        assertEquals(2, t.rows().get(0).cellsPresent());
        List<String> expected = new ArrayList<>();
        for (Benchmark b : Benchmarks.parse("piqa,arc_easy")) {
            b.load(DATA).subList(0, 2).stream().map(Item::user).forEach(expected::add);
        }
        assertEquals(expected, r.perPrompt.stream().map(ChatPrompt::user).toList(), "each item's own prompt");
        assertTrue(Files.isRegularFile(out.resolve("results/hyperdecoder/base/piqa.json")));
        assertEquals(1, r.opened);

        Evaluation.run(request(out, "piqa,arc_easy", null), ProgressListener.NONE);
        assertEquals(1, r.opened, "a cached run opens no hypernetwork");
        // the explicit protocol on a description-conditioned T2L works too (the input as its description)
        register(T2lMode.Checkpoint.DESCRIPTION_CONDITIONED);
        Evaluation.run(request(tmp.resolve("hd2"), "piqa", T2lMode.HYPERDECODER), ProgressListener.NONE);

        CombinedTable both = Report.write(List.of(out, tmp.resolve("hd2")), tmp.resolve("report"));
        assertTrue(both.rows().stream().anyMatch(row -> row.label().equals(Evaluation.HYPERDECODER_ROW)));
    }
}
