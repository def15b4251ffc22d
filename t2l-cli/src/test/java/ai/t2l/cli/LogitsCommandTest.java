package ai.t2l.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.io.FloatTensor;
import ai.t2l.io.SafetensorsFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code t2l logits} against the golden logits (fixtures/golden/llama, peft/llama_all). */
class LogitsCommandTest {
    static final String SEQ0 = "240,253,174,235,313,51,185";

    @TempDir
    Path tmp;

    static Path golden(String... parts) {
        return Paths.get(System.getProperty("t2l.shared", "../../shared"), "fixtures", "golden").resolve(String.join("/", parts));
    }

    static FloatTensor read(Path file, String key) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            return f.read(key);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"base,,logits_0", "unmerged,peft/llama_all/adapter,adapter_logits_0",
            "merged,peft/llama_all/adapter,merged_logits_0"})
    void writesGoldenLogits(String variant, String adapter, String goldenKey) {
        Path out = tmp.resolve(variant + ".safetensors");
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("logits", "--model",
                golden("llama").toString(), "--input-ids", SEQ0, "--out", out.toString()));
        if (adapter != null) {
            args.addAll(java.util.List.of("--adapter", golden(adapter).toString()));
        }
        if (variant.equals("merged")) {
            args.add("--merged");
        }
        assertEquals(0, Main.execute(args.toArray(String[]::new)), "exit code");
        FloatTensor got = read(out, "logits");
        Path goldenFile = adapter == null ? golden("llama", "logits.safetensors")
                : golden("peft", "llama_all", "logits.safetensors");
        FloatTensor want = read(goldenFile, goldenKey); // (1, 7, 320)
        assertArrayEquals(new long[] {7, 320}, got.shape(), "logits shape [seq, vocab]");
        double worst = 0;
        for (int i = 0; i < want.data().length; i++) {
            double d = Math.abs(want.data()[i] - got.data()[i]);
            assertTrue(d <= 1e-4, variant + ": logits[" + i / 320 + ", " + i % 320 + "] differs from " + goldenKey
                    + " by " + d);
            worst = Math.max(worst, d);
        }
        System.out.printf("t2l logits %s vs %s: max |diff| %.2e%n", variant, goldenKey, worst);
    }

    @Test
    void badIdsGiveOneLineAndNoFile() {
        Path out = tmp.resolve("never.safetensors");
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        int code;
        try {
            code = Main.execute("logits", "--model", golden("llama").toString(), "--input-ids", "1,x,3", "--out",
                    out.toString());
        } finally {
            System.setErr(old);
        }
        assertEquals(1, code);
        assertTrue(err.toString().contains("'x'"), err.toString());
        assertFalse(Files.exists(out), "no output written");
    }
}
