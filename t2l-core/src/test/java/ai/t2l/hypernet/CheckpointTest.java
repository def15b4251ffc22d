package ai.t2l.hypernet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.Shared;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our folder format round trip, and the reference importer's refusals (each names file, key and shapes). */
class CheckpointTest {
    @TempDir
    Path tmp;

    @Test
    void ownFormatRoundTripsExactly() {
        HyperConfig c = HyperInitTest.tiny(Variant.S, TrainingTask.SFT);
        Path dir = tmp.resolve("t2l");
        float[] e = HyperInitTest.randomEmbedding(24, 4);
        try (HyperModulator h = HyperModulator.create(c, 1, null)) {
            Provenance p = Provenance.now("test", "HyperInitTest.tiny", Map.of("seed", "1"));
            T2lFolder.save(dir, h, p, false);
            try (HypernetCheckpoint back = HypernetCheckpoint.load(dir, LoadOptions.defaults(), null)) {
                assertEquals(c, back.config());
                assertEquals(p, back.provenance());
                Map<String, FloatTensor> s1 = h.stateDict();
                Map<String, FloatTensor> s2 = back.hypernet().stateDict();
                assertEquals(List.copyOf(s1.keySet()), List.copyOf(s2.keySet()));
                s1.forEach((k, v) -> assertArrayEquals(v.data(), s2.get(k).data(), k));
                LoraWeights w1 = h.generate(e);
                LoraWeights w2 = back.hypernet().generate(e);
                assertArrayEquals(w1.get(1, "v_proj").b().data(), w2.get(1, "v_proj").b().data());
                // save → load → save gives the same weights file
                Path again = tmp.resolve("again");
                T2lFolder.save(again, back.hypernet(), back.provenance(), false);
                assertArrayEquals(bytes(dir.resolve(T2lFolder.WEIGHTS)), bytes(again.resolve(T2lFolder.WEIGHTS)));
            }
        }
        T2lSummary s = T2lSummary.read(dir);
        assertEquals(c.parameterCount(), s.parameterCount());
        assertTrue(s.describe().contains("variant            S"), s.describe());
    }

    @Test
    void importedReferenceSavesAsOwnFormatWithTheSameOutputs() {
        Path dir = Golden.dir("M_384");
        float[] e = Golden.embedding("M_384", 0, "task_emb");
        try (HypernetCheckpoint ref = HypernetCheckpoint.load(dir, LoadOptions.defaults(), null)) {
            Path out = tmp.resolve("m");
            T2lFolder.save(out, ref.hypernet(), ref.provenance(), false);
            try (HypernetCheckpoint own = HypernetCheckpoint.load(out, LoadOptions.defaults(), null)) {
                assertEquals(ref.config(), own.config());
                assertArrayEquals(ref.hypernet().generate(e).get(0, "q_proj").a().data(),
                        own.hypernet().generate(e).get(0, "q_proj").a().data());
            }
        }
    }

    @Test
    void summaryOfAReferenceFolderNeedsNoBaseModel() {
        for (String v : Golden.VARIANTS) {
            T2lSummary s = T2lSummary.read(Golden.dir(v));
            assertEquals(2, s.config().numLayers(), v);
            assertEquals(new HyperConfig.ModuleDims(64, 32), s.config().dims("v_proj"), v);
        }
        assertEquals(Variant.S, T2lSummary.read(Golden.dir("S_384")).config().variant());
    }

    @Test
    void moduleOrderOptionSwapsTypeEmbeddings() {
        Path dir = Golden.dir("L_384");
        float[] e = Golden.embedding("L_384", 0, "task_emb");
        try (HypernetCheckpoint a = HypernetCheckpoint.load(dir, LoadOptions.defaults(), null);
                HypernetCheckpoint b = HypernetCheckpoint.load(dir,
                        LoadOptions.defaults().withModuleOrder(List.of("q_proj", "v_proj")), null)) {
            assertEquals(List.of("q_proj", "v_proj"), b.config().moduleOrder());
            assertFalse(java.util.Arrays.equals(a.hypernet().generate(e).get(0, "q_proj").a().data(),
                    b.hypernet().generate(e).get(0, "q_proj").a().data()), "the order changes the type embedding");
        }
        T2lException x = assertThrows(T2lException.class, () -> HypernetCheckpoint.load(dir,
                LoadOptions.defaults().withModuleOrder(List.of("q_proj", "k_proj")), null));
        assertTrue(x.getMessage().contains("permutation"), x.getMessage());
    }

    @Test
    void checkpointForAnotherBaseModelIsRefusedNamingTensorAndShapes() throws IOException {
        // a base model with hidden 96: every head and buffer is mis-shaped
        Path model = tmp.resolve("other-model");
        Files.createDirectories(model);
        String cfg = Files.readString(Shared.golden("mistral", "config.json")).replace("\"hidden_size\": 64", "\"hidden_size\": 96");
        Files.writeString(model.resolve("config.json"), cfg);
        T2lException e = assertThrows(T2lException.class, () -> HypernetCheckpoint.load(Golden.dir("L_384"),
                LoadOptions.defaults().withModelDir(model), null));
        assertTrue(e.getMessage().contains("tensor 'heads.q_proj.weight' has shape [1024, 512], expected [1280, 512]"),
                e.getMessage());
        assertTrue(e.getMessage().contains("hypermod.pt"), e.getMessage());
    }

    @Test
    void argsYamlMissingKeysIsAnErrorUnknownKeysAWarning() throws IOException {
        Path dir = copyFixture("L_384");
        String args = Files.readString(dir.resolve("args.yaml"));
        Files.writeString(dir.resolve("args.yaml"), args + "my_new_flag: 3\n");
        try (HypernetCheckpoint c = HypernetCheckpoint.load(dir,
                LoadOptions.defaults().withModelDir(Shared.golden("mistral")), null)) {
            assertEquals(1, c.warnings().size());
            assertTrue(c.warnings().get(0).contains("unknown key 'my_new_flag'"), c.warnings().toString());
        }
        Files.writeString(dir.resolve("args.yaml"), args.replaceAll("(?m)^(head_in_size|shared_AB_head):.*\\n", ""));
        T2lException e = assertThrows(T2lException.class, () -> HypernetCheckpoint.load(dir,
                LoadOptions.defaults().withModelDir(Shared.golden("mistral")), null));
        assertTrue(e.getMessage().contains("args.yaml: missing required keys [shared_AB_head, head_in_size]"),
                e.getMessage());
    }

    @Test
    void unresolvableBaseModelSaysToPassModel() throws IOException {
        Path dir = copyFixture("S_384");
        T2lException e = assertThrows(T2lException.class, () -> HypernetCheckpoint.load(dir, LoadOptions.defaults(), null));
        assertTrue(e.getMessage().contains("--model"), e.getMessage());
        assertTrue(e.getMessage().contains("'mistral'"), e.getMessage());
    }

    @Test
    void nonFactorizedZScoredReconCannotGenerateLikeTheReference() {
        HyperConfig c = HyperConfig.builder().variant(Variant.M).latentSize(32).headInSize(48).taskEmbDim(24)
                .numLayers(2).module("q_proj", 64, 64).module("v_proj", 64, 32).trainingTask(TrainingTask.RECON)
                .predZScore(true).factorized(false).build();
        try (HyperModulator h = HyperModulator.create(c, 1, null)) {
            T2lException e = assertThrows(T2lException.class, () -> h.generate(HyperInitTest.randomEmbedding(24, 1)));
            assertTrue(e.getMessage().contains("pred_z_score"), e.getMessage());
            T2lException dim = assertThrows(T2lException.class, () -> h.generate(new float[23]));
            assertTrue(dim.getMessage().contains("23") && dim.getMessage().contains("24"), dim.getMessage());
        }
        assertNotEquals(0, c.parameterCount());
    }

    private Path copyFixture(String variant) throws IOException {
        Path dir = tmp.resolve("copy-" + variant);
        Files.createDirectories(dir);
        for (String f : List.of("hypermod.pt", "args.yaml", "adapter_config.json")) {
            Files.copy(Golden.dir(variant).resolve(f), dir.resolve(f));
            dir.resolve(f).toFile().setWritable(true);
        }
        return dir;
    }

    private static byte[] bytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }
}
