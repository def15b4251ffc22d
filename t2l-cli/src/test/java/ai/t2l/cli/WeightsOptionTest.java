package ai.t2l.cli;

import static ai.t2l.cli.LogitsCommandTest.golden;
import static ai.t2l.cli.LogitsCommandTest.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.compute.WeightPrecision;
import ai.t2l.io.FloatTensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --weights} and {@code t2l quantize} through the CLI (docs/WEIGHTS.md). */
class WeightsOptionTest {
    @TempDir
    Path tmp;

    @AfterEach
    void resetDefault() {
        System.clearProperty(WeightPrecision.PROPERTY);
    }

    private FloatTensor logits(String name, String... extra) {
        Path out = tmp.resolve(name + ".safetensors");
        List<String> args = new ArrayList<>(List.of("logits", "--input-ids", LogitsCommandTest.SEQ0, "--out",
                out.toString()));
        args.addAll(List.of(extra));
        assertEquals(0, Main.execute(args.toArray(String[]::new)), "exit code of " + args);
        return read(out, "logits");
    }

    private static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    @Test
    void bf16FolderInPlaceMatchesTheFloat32ComputeGoldenAndMergeEqualsUnmerged() {
        String model = golden("llama_bf16").toString();
        FloatTensor want = read(golden("llama_bf16", "logits.safetensors"), "fp32compute_logits_0");
        FloatTensor got = logits("bf16", "--model", model, "--weights", "bf16");
        assertTrue(maxDiff(want.data(), got.data()) <= 1e-4, "bf16 in place vs fp32compute golden: "
                + maxDiff(want.data(), got.data()));
        String adapter = golden("peft", "llama_all", "adapter").toString();
        FloatTensor unmerged = logits("unmerged", "--model", model, "--adapter", adapter);
        FloatTensor merged = logits("merged", "--model", model, "--adapter", adapter, "--merged");
        assertTrue(maxDiff(unmerged.data(), merged.data()) <= 1e-5, "merged vs unmerged on bf16 weights");
        assertTrue(maxDiff(unmerged.data(), got.data()) > 1e-3, "the adapter changes the logits");
    }

    @Test
    void quantizedFolderGivesTheLogitsOfInt8AtLoad() {
        Path q = tmp.resolve("q8");
        assertEquals(0, Main.execute("quantize", "--model", golden("llama").toString(), "--out", q.toString()));
        assertTrue(Files.exists(q.resolve("config.json")) && Files.exists(q.resolve("model.safetensors")));
        FloatTensor saved = logits("saved", "--model", q.toString());
        FloatTensor atLoad = logits("atload", "--model", golden("llama").toString(), "--weights", "int8");
        assertEquals(0.0, maxDiff(saved.data(), atLoad.data()), "saved int8 folder vs --weights int8");
        FloatTensor f32 = logits("f32", "--model", golden("llama").toString(), "--weights", "f32");
        assertTrue(maxDiff(f32.data(), atLoad.data()) > 0, "int8 differs from float32 (it is not silently f32)");
    }

    @Test
    void unknownWeightsValueIsOneErrorLine() {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        int code;
        try {
            code = Main.execute("logits", "--model", golden("llama").toString(), "--weights", "int4",
                    "--input-ids", "1,2", "--out", tmp.resolve("x.safetensors").toString());
        } finally {
            System.setErr(old);
        }
        assertTrue(code != 0, "exit code");
        assertTrue(err.toString().contains("int4") && err.toString().contains("int8"), err.toString());
        assertFalse(err.toString().contains("\tat "), "no stack trace: " + err);
        assertFalse(Files.exists(tmp.resolve("x.safetensors")));
    }

    /**
     * {@code --products} and {@code --heads} on the commands that run models: a value they do not take (int8dot for
     * the heads), and bf16dot or int8dot where the native library is not loaded (this JVM is not started by the launcher), are usage errors (exit 2)
     * that name the option and the reason, before anything runs or is written; nothing is set for later loads.
     */
    @Test
    void badPrecisionOptionsAreUsageErrorsThatSayWhy() {
        org.junit.jupiter.api.Assumptions.assumeFalse(ai.t2l.compute.Bf16Dot.available(), "library loaded here");
        String out = tmp.resolve("x.safetensors").toString();
        String[][] cases = {
            {"--products", "bf16x", "logits", "'bf16x' is not one of"},
            {"--products", "bf16", "logits", "--weights bf16"},
            {"--products", "bf16dot", "logits", "t2l.native.bf16dot"},
            {"--products", "int8dot", "logits", "t2l.native.bf16dot"},
            {"--heads", "int8dot", "run", "--products int8dot"},
            {"--heads", "fp8", "run", "'fp8' is not one of"},
            {"--heads", "bf16dot", "serve", "t2l.native.bf16dot"},
            {"--heads", "bf16dot", "eval", "t2l.native.bf16dot"},
        };
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(c[2].equals("eval") ? List.of("eval", "run") : List.of(c[2]));
            args.addAll(List.of(c[0], c[1]));
            if (c[2].equals("logits")) {
                args.addAll(List.of("--model", golden("llama").toString(), "--input-ids", "1,2", "--out", out));
            }
            PrintStream old = System.err;
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            System.setErr(new PrintStream(err, true));
            int code;
            try {
                code = Main.execute(args.toArray(String[]::new));
            } finally {
                System.setErr(old);
            }
            assertEquals(2, code, args + ": " + err);
            assertTrue(err.toString().contains(c[0]) && err.toString().contains(c[3]), args + ": " + err);
            assertFalse(err.toString().contains("\tat "), "no stack trace: " + err);
            assertFalse(Files.exists(tmp.resolve("x.safetensors")));
            assertEquals(null, System.getProperty(ai.t2l.compute.F32Matrix.PRODUCTS_PROPERTY), "--products set");
            assertEquals(null, System.getProperty(HeadsOption.PROPERTY), "--heads set");
        }
    }

    /**
     * {@code --products int8dot} through the ./t2l launcher (which builds the native library): the prompt's logits on
     * int8 weights move by the activations' quantization, and stay within {@code WeightPrecisionTest}'s bound for
     * int8 (10% of the largest logit) of the same command's logits without it.
     */
    @Test
    void int8DotProductsThroughTheLauncher() throws Exception {
        NativeLauncher.assumeItBuilds("avx512_bf16", "avx512_vnni", "avx512vbmi");
        Path f32 = tmp.resolve("f32.safetensors");
        Path dot = tmp.resolve("int8dot.safetensors");
        String model = golden("llama").toString();
        String ids = "1,5,9,2,7,3,8,4";
        NativeLauncher.run("logits", "--model", model, "--weights", "int8", "--input-ids", ids, "--out", f32.toString());
        NativeLauncher.run("logits", "--model", model, "--weights", "int8", "--products", "int8dot", "--input-ids", ids,
                "--out", dot.toString());
        float[] a = read(f32, "logits").data();
        float[] b = read(dot, "logits").data();
        assertEquals(a.length, b.length);
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(a[i]));
        }
        assertTrue(worst > 1e-6, "the logits did not move: did the prompt run on int8 activations?");
        assertTrue(worst <= 0.1 * scale, "int8dot moved the logits by " + worst + " of " + scale);
    }
}
