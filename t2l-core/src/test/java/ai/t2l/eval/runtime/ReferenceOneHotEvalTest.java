package ai.t2l.eval.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.Shared;
import ai.t2l.eval.EvalRequest;
import ai.t2l.eval.EvalRuntime;
import ai.t2l.eval.EvalSettings;
import ai.t2l.eval.Evaluation;
import ai.t2l.eval.ProgressListener;
import ai.t2l.eval.PromptOptions;
import ai.t2l.eval.bench.Benchmarks;
import ai.t2l.eval.report.CombinedTable;
import ai.t2l.hypernet.HypernetCheckpoint;
import ai.t2l.hypernet.LoadOptions;
import ai.t2l.hypernet.OneHotTasks;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A released reference checkpoint trained with {@code use_one_hot_task_emb} goes through {@code t2l eval run --t2l}
 * with the real runtime wiring (the golden L_384 folder with the flag set and 384 task names, one of them piqa; the
 * model answers are stood in for, the adapters are the hypernetwork's).
 */
class ReferenceOneHotEvalTest {
    @TempDir
    Path tmp;

    @Test
    void aReferenceOneHotCheckpointIsEvaluatedByTheOneHotProtocol() throws IOException {
        Path dir = tmp.resolve("ref-one-hot");
        Files.createDirectories(dir);
        Path golden = Shared.golden("t2l", "L_384");
        for (String f : List.of("hypermod.pt", "adapter_config.json")) {
            Files.copy(golden.resolve(f), dir.resolve(f));
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 384; i++) {
            names.add(i == 5 ? "piqa" : "lol_" + i);
        }
        String args = Files.readString(golden.resolve("args.yaml"))
                .replace("use_one_hot_task_emb: false", "use_one_hot_task_emb: true")
                .replaceAll("(?m)^train_ds_names:\\n(- .*\\n)+", "train_ds_names:\n"
                        + String.join("", names.stream().map(n -> "- " + n + "\n").toList()));
        Files.writeString(dir.resolve("args.yaml"), args);
        Path model = Shared.golden("mistral"); // its config.json gives the dims; no model runs here

        EvalWiring.register();
        EvalRuntime.registerModels((m, adapter) -> (prompts, max) -> prompts.stream().map(p -> "0").toList());
        Path out = tmp.resolve("out");
        CombinedTable t = Evaluation.run(new EvalRequest(model, Optional.empty(), Optional.of(dir),
                Benchmarks.parse("piqa"), PromptOptions.BASE, EvalSettings.of(Shared.data("benchmarks"), out)
                        .withLimit(2), null, 42), ProgressListener.NONE);
        assertEquals(3, t.rows().size(), t.rows().toString());
        assertTrue(t.rows().stream().allMatch(r -> r.label().startsWith("One-hot T2L (")), t.rows().toString());

        LoraWeights written = PeftAdapter.read(out.resolve("generated_loras/piqa/train_descs/lora_0"));
        try (HypernetCheckpoint ck = HypernetCheckpoint.load(dir, LoadOptions.defaults().withModelDir(model), null)) {
            float[] e5 = new float[384];
            e5[5] = 1;
            assertArrayEquals(new OneHotTasks(names).vector("piqa"), e5);
            LoraWeights expected = ck.hypernet().generate(e5);
            expected.pairs().forEach((site, p) -> {
                assertArrayEquals(p.a().data(), written.pairs().get(site).a().data(), 1e-6f, "A of " + site);
                assertArrayEquals(p.b().data(), written.pairs().get(site).b().data(), 1e-6f, "B of " + site);
            });
        }
    }
}
