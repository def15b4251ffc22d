package ai.t2l.miniature.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.io.JvmCommand;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole pipeline at reduced size: build, resume, determinism, evaluation. */
class MiniatureBuildTest {
    @Test
    void buildsResumesIsDeterministicAndEvaluates(@TempDir Path tmp) throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        new MiniatureBuild(a, MiniSettings.reduced(), HashEmbedder::new, Progress.QUIET, "test").run();
        for (String p : List.of("model/config.json", "model/model.safetensors", "model/tokenizer.json",
                "model/tokenizer_config.json", "embeddings.safetensors", "oracle/reverse_plain/adapter_model.safetensors",
                "oracle/reverse_brackets/adapter_config.json", "multitask/adapter_model.safetensors",
                "t2l/recon-M/weights.safetensors", "t2l/sft-L/t2l_config.json", "t2l/sft-M/weights.safetensors",
                "t2l/sft-S/weights.safetensors", "world/tasks.json",
                "provenance.json")) {
            assertTrue(Files.exists(a.resolve(p)), "missing " + p);
        }

        // resume: every stage is up to date, nothing is rebuilt
        List<String> started = new ArrayList<>();
        new MiniatureBuild(a, MiniSettings.reduced(), HashEmbedder::new, recording(started), "test").run();
        assertTrue(started.stream().allMatch(s -> s.endsWith("(up to date)")), started.toString());

        // determinism: the same seed gives the same bytes (timings and commit aside), also when the build was
        // interrupted in the middle of a stage and resumed from that stage's trainer checkpoints: here twice, in the
        // base model and in the SFT of T2L L (issue 13.3), each after its checkpoint at step 4 or 8
        RuntimeException stop = assertThrows(RuntimeException.class, () -> new MiniatureBuild(b,
                MiniSettings.reduced(), HashEmbedder::new, interruptAt("base model", 11), "other").run());
        assertEquals("interrupted", stop.getMessage());
        assertTrue(Files.isDirectory(b.resolve(MiniatureBuild.RUNS)), "an interrupted stage keeps its run folder");
        List<String> second = new ArrayList<>();
        Map<String, Long> secondFirstStep = new HashMap<>();
        stop = assertThrows(RuntimeException.class, () -> new MiniatureBuild(b, MiniSettings.reduced(),
                HashEmbedder::new, interruptAt("T2L sft-L", 6, recording(second, secondFirstStep)), "other").run());
        assertEquals("interrupted", stop.getMessage());
        assertTrue(second.contains("base model") && second.contains("world (up to date)"), second.toString());
        assertEquals(9L, secondFirstStep.get("base model"), "the base model continues after its checkpoint at step 8");
        assertTrue(second.contains("T2L sft-L"), second.toString());
        assertFalse(Files.exists(b.resolve(MiniLayout.t2l("sft-L"))), "the interrupted SFT stage wrote no output");
        List<String> resumed = new ArrayList<>();
        Map<String, Long> firstStep = new HashMap<>();
        new MiniatureBuild(b, MiniSettings.reduced(), HashEmbedder::new, recording(resumed, firstStep), "other").run();
        assertTrue(resumed.contains("T2L sft-L") && resumed.contains("model (up to date)"), resumed.toString());
        assertEquals(5L, firstStep.get("T2L sft-L"), "SFT-L continues after its checkpoint at step 4");
        assertFalse(Files.exists(b.resolve(MiniatureBuild.RUNS)), "run folders are removed once their stage is done");
        TreeMap<String, byte[]> fa = artifacts(a);
        TreeMap<String, byte[]> fb = artifacts(b);
        assertEquals(fa.keySet(), fb.keySet());
        fa.forEach((k, v) -> assertArrayEquals(v, fb.get(k), "artifact differs between two builds: " + k));

        // two processes (t2l miniature build --jobs 2): the embeddings, then sft-S and sft-L in a second JVM, the
        // same bytes
        Path c = tmp.resolve("c");
        List<Set<String>> workerStages = new ArrayList<>();
        JsonNode prov = new MiniatureBuild(c, MiniSettings.reduced(), HashEmbedder::new, Progress.QUIET, "test")
                .run(stages -> {
                    workerStages.add(stages);
                    return new ProcessBuilder(JvmCommand.sameJvm(MiniatureBuildTest.class.getName(),
                            List.of(c.toString(), String.join(",", stages)))).inheritIO().start();
                });
        assertEquals(List.of(Set.of(MiniatureBuild.MODEL_SECOND_HALF), Set.of("embeddings", "sft-S", "sft-L")),
                workerStages);
        List<String> recorded = new ArrayList<>();
        prov.path("stages").fieldNames().forEachRemaining(recorded::add);
        assertEquals(MiniatureBuild.STAGES, recorded, "provenance lists the stages in build order");
        TreeMap<String, byte[]> fc = artifacts(c);
        assertEquals(fa.keySet(), fc.keySet());
        fa.forEach((k, v) -> assertArrayEquals(v, fc.get(k), "artifact differs with two processes: " + k));

        Report r = new MiniatureEval(a, new HashEmbedder(), 2, Progress.QUIET).run();
        assertEquals(9, r.rows().size());
        assertEquals(3, r.controls().size());
        r.write(tmp.resolve("docs"), "test");
        String md = Files.readString(tmp.resolve("docs/MINIATURE.md"));
        assertTrue(md.contains("| T2L sft-S |") && md.contains("random strings"), md);
        assertTrue(Files.readString(tmp.resolve("docs/miniature.svg")).startsWith("<svg"));
        assertTrue(md.contains("## The paper's findings, tested here") && md.contains("## Hand-written descriptions")
                && md.contains("## Reconstruction on its own library") && md.contains("## Training curves"), md);
        assertTrue(Files.readString(tmp.resolve("docs/miniature-adapters.svg")).startsWith("<svg"));
        // hand-written descriptions are for the evaluation only: the build embeds training and evaluation ones
        try (var f = ai.t2l.io.SafetensorsFile.open(a.resolve("embeddings.safetensors"))) {
            for (String k : f.names()) {
                assertTrue(k.startsWith("train.") || k.startsWith("eval."), k);
            }
        }
    }

    @Test
    void aSecondProcessThatDiesStopsTheBaseModelWithAClearError(@TempDir Path tmp) {
        T2lException e = assertTimeoutPreemptively(java.time.Duration.ofSeconds(120), () -> assertThrows(
                T2lException.class, () -> new MiniatureBuild(tmp, MiniSettings.reduced(), HashEmbedder::new,
                        Progress.QUIET, "test").run(stages -> new ProcessBuilder(JvmCommand.sameJvm(
                                DyingWorker.class.getName(), List.of())).inheritIO().start())));
        assertTrue(e.getMessage().contains("ended before it connected"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve(MiniLayout.MODEL)), "no model was written");
    }

    /** A second process that fails at once. */
    public static final class DyingWorker {
        public static void main(String[] args) {
            System.exit(3);
        }
    }

    /** The second process of the two-process build above: args = folder, stages (comma-separated). */
    public static void main(String[] args) {
        new MiniatureBuild(Path.of(args[0]), MiniSettings.reduced(), HashEmbedder::new, Progress.QUIET, "test")
                .runOnly(Set.of(args[1].split(",")));
    }

    @Test
    void thePhasesBuildEveryStageOnce() {
        List<String> all = new ArrayList<>();
        for (MiniatureBuild.Phase p : MiniatureBuild.PHASES) {
            all.addAll(p.here());
            all.addAll(p.second());
        }
        assertTrue(all.remove(MiniatureBuild.MODEL_SECOND_HALF), "the base model's second half runs in the second process");
        assertEquals(new TreeSet<>(MiniatureBuild.STAGES), new TreeSet<>(all));
        assertEquals(MiniatureBuild.STAGES.size(), all.size(), "no stage in two phases: " + all);
    }

    @Test
    void theSecondProcessNeedsTheStagesItReads(@TempDir Path tmp) {
        MiniatureBuild b = new MiniatureBuild(tmp, MiniSettings.reduced(), HashEmbedder::new, Progress.QUIET, "test");
        T2lException e = assertThrows(T2lException.class, () -> b.runOnly(Set.of("sft-L")));
        assertTrue(e.getMessage().contains("stage 'world' is not built"), e.getMessage());
        e = assertThrows(T2lException.class, () -> b.runOnly(Set.of("sft-X")));
        assertTrue(e.getMessage().contains("unknown stage"), e.getMessage());
    }

    private static Progress recording(List<String> started) {
        return recording(started, new HashMap<>());
    }

    /** Records the stages started and the first step each one reports. */
    private static Progress recording(List<String> started, Map<String, Long> firstStep) {
        return new Progress() {
            @Override
            public void start(String stage, long total) {
                started.add(stage);
            }

            @Override
            public void step(long done, String detail) {
                firstStep.putIfAbsent(started.get(started.size() - 1), done);
            }

            @Override
            public void end(String summary) {}
        };
    }

    /** Throws once {@code stage} reaches step {@code step} (after a checkpoint, before its end). */
    private static Progress interruptAt(String stage, long step) {
        return interruptAt(stage, step, Progress.QUIET);
    }

    /** The same, passing every event to {@code also} first. */
    private static Progress interruptAt(String stage, long step, Progress also) {
        return new Progress() {
            String current = "";

            @Override
            public void start(String name, long total) {
                also.start(name, total);
                current = name;
            }

            @Override
            public void step(long done, String detail) {
                also.step(done, detail);
                if (current.equals(stage) && done == step) {
                    throw new RuntimeException("interrupted");
                }
            }

            @Override
            public void end(String summary) {
                also.end(summary);
            }
        };
    }

    /** Every file but the records of time and commit. */
    private static TreeMap<String, byte[]> artifacts(Path root) throws IOException {
        TreeMap<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String rel = root.relativize(p).toString();
                if (!rel.equals(MiniLayout.PROVENANCE) && !rel.startsWith(MiniLayout.STAGES)) {
                    out.put(rel, Files.readAllBytes(p));
                }
            }
        }
        return out;
    }
}
