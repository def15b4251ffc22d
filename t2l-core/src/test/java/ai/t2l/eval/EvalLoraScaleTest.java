package ai.t2l.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.Shared;
import ai.t2l.eval.bench.Benchmark;
import ai.t2l.eval.bench.Benchmarks;
import ai.t2l.eval.report.CombinedTable;
import ai.t2l.io.FloatTensor;
import ai.t2l.lora.LoraConfig;
import ai.t2l.lora.LoraScale;
import ai.t2l.lora.LoraWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both LoRA scales are available at evaluation (issue 12 item 7): the adapter's own (PEFT, alpha/√r with rsLoRA)
 * and the reference's vLLM 0.5.4 one (alpha/r); the two never share cached completions.
 */
class EvalLoraScaleTest {
    @TempDir
    Path tmp;

    @AfterEach
    void unregister() {
        EvalRuntime.registerModels(null);
    }

    @Test
    void vllmScaleIsAlphaOverRAndAdapterScaleIsRsLora() {
        LoraWeights w = new LoraWeights(LoraConfig.t2lDefault(), Map.of(new LoraWeights.Site(0, "q_proj"),
                new LoraWeights.Pair(new FloatTensor(new float[16], new long[] {8, 2}),
                        new FloatTensor(new float[16], new long[] {2, 8}))));
        assertEquals(16 / Math.sqrt(8), LoraScale.ADAPTER.apply(w).config().scaling(), 1e-12);
        assertEquals(2.0, LoraScale.VLLM_0_5_4.apply(w).config().scaling(), 1e-12);
        assertSame(w.pairs().get(new LoraWeights.Site(0, "q_proj")),
                LoraScale.VLLM_0_5_4.apply(w).pairs().get(new LoraWeights.Site(0, "q_proj")), "same A and B");
        assertEquals(LoraScale.VLLM_0_5_4, LoraScale.parse("vllm-0.5.4"));
    }

    @Test
    void scaleReachesTheRuntimeAndGetsItsOwnCacheAndRow() throws Exception {
        List<LoraScale> opened = new ArrayList<>();
        EvalRuntime.registerModels(new EvalRuntime.ModelFactory() {
            @Override
            public CompletionModel open(Path modelDir, Optional<Path> adapterDir) {
                return open(modelDir, adapterDir, LoraScale.ADAPTER);
            }

            @Override
            public CompletionModel open(Path modelDir, Optional<Path> adapterDir, LoraScale scale) {
                opened.add(scale);
                return new FakeModel(new HashMap<>(), 2, -1);
            }
        });
        List<Benchmark> tasks = Benchmarks.parse("arc_easy");
        Path adapter = Files.createDirectories(tmp.resolve("my_adapter"));
        Path out = tmp.resolve("out");
        EvalSettings s = EvalSettings.of(Shared.data("benchmarks"), out).withLimit(2);
        for (LoraScale scale : LoraScale.values()) {
            Evaluation.run(new EvalRequest(tmp.resolve("model"), Optional.of(adapter), Optional.empty(), tasks,
                    PromptOptions.BASE, s.withLoraScale(scale), null, 42), ProgressListener.NONE);
        }
        assertEquals(List.of(LoraScale.ADAPTER, LoraScale.VLLM_0_5_4), opened,
                "the second scale must not be answered from the first one's cache");
        CombinedTable t = Evaluation.run(new EvalRequest(tmp.resolve("model"), Optional.of(adapter), Optional.empty(),
                tasks, PromptOptions.BASE, s.withLoraScale(LoraScale.VLLM_0_5_4), null, 42), ProgressListener.NONE);
        assertEquals(2, opened.size(), "a rerun is answered from the cache");
        List<String> rows = t.rows().stream().map(CombinedTable.Row::label).toList();
        assertTrue(rows.contains("model + my_adapter") && rows.contains("model + my_adapter [vllm-0.5.4 scale]"),
                rows.toString());
    }

    @Test
    void factoryThatCannotRescaleRefusesClearly() {
        EvalRuntime.registerModels((m, a) -> new FakeModel(new HashMap<>(), 2, -1));
        var e = org.junit.jupiter.api.Assertions.assertThrows(ai.t2l.io.T2lException.class,
                () -> EvalRuntime.openModel(tmp, Optional.of(tmp.resolve("a")), LoraScale.VLLM_0_5_4));
        assertTrue(e.getMessage().contains("vllm-0.5.4"), e.getMessage());
    }
}
