package ai.t2l.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What {@code t2l bench} prints beside our figures, and its refusal of a bad batch size (before any work). */
class BenchReportingTest {
    @Test
    void referenceCellAndRatioComeFromTheWorkloadTable() {
        assertEquals("46.9 / 49.3 ms", ReferenceMedians.GENERATE_L.cell());
        assertEquals("2.00×", ReferenceMedians.GENERATE_L.speedup(24.05)); // (46.9 + 49.3) / 2 = 48.1 ms
        assertEquals("0.848 / 0.791 s", ReferenceMedians.RECON_STEP.cell());
        assertEquals("0.50×", ReferenceMedians.SFT_STEP.speedup(2.29)); // (1.12 + 1.17) / 2 = 1.145 s
        assertTrue(ReferenceMedians.LABEL.startsWith("unpaired"));
    }

    /** bench decode: a rate is better when higher, so the ratio is ours ÷ reference (BENCHMARKS-WORKLOADS.md §2). */
    @Test
    void decodeMeasuresGetTheirRowOfTheWorkloadTable() {
        assertEquals(ReferenceMedians.PREFILL, ReferenceMedians.decode("prefill 128 tok, batch 1", "base"));
        assertEquals("782 / 778 tok/s", ReferenceMedians.PREFILL.cell());
        assertEquals("2.00×", ReferenceMedians.PREFILL.speedup(1560)); // (782 + 778) / 2 = 780 tok/s
        assertEquals(ReferenceMedians.DECODE_B1_LORA, ReferenceMedians.decode("decode 64 tok, batch 1", "LoRA unmerged"));
        assertEquals(ReferenceMedians.DECODE_B8, ReferenceMedians.decode("decode 64 tok, batch 8", "base"));
        assertEquals(null, ReferenceMedians.decode("decode 64 tok, batch 8", "LoRA merged"), "no merged row in §2");
        assertEquals(null, ReferenceMedians.decode("decode 32 tok, batch 1", "base"), "other sizes: no reference");
    }

    @Test
    void decodeCountsBelowOneAreAClearError() {
        for (String[] bad : new String[][] {{"--runs", "0"}, {"--batch", "0"}, {"--new-tokens", "-1"},
            {"--warmup", "-1"}}) {
            String e = errorOf("bench", "decode", bad[0], bad[1]);
            assertTrue(e.contains("error:") && e.contains(bad[0] + " must be at least") && e.contains("got " + bad[1]),
                    String.join(" ", bad) + ": " + e);
        }
    }

    /**
     * bench decode on a model folder prints batched decode over batch 1 round by round, per variant: each ratio pairs
     * two measures of one round. The golden tiny Llama in bf16, a few tokens, so the numbers are noise; only their form
     * and order are checked.
     */
    @Test
    void decodeOnAFolderPrintsTheBatchRatioRoundByRound() {
        String model = LogitsCommandTest.golden("llama_bf16").toString();
        String text = outputOf("bench", "decode", "--model", model, "--weights", "bf16", "--runs", "3", "--warmup", "0",
                "--prompt-tokens", "2", "--new-tokens", "2", "--batch", "2");
        for (String variant : new String[] {"base", "LoRA unmerged"}) {
            Matcher m = Pattern.compile("(?m)^" + Pattern.quote(variant) + ": batch 2 ÷ batch 1, round by round: min "
                    + "([0-9.]+), median ([0-9.]+), max ([0-9.]+)$").matcher(text);
            assertTrue(m.find(), variant + " has its ratio line: " + text);
            double min = Double.parseDouble(m.group(1));
            double median = Double.parseDouble(m.group(2));
            double max = Double.parseDouble(m.group(3));
            assertTrue(min > 0 && min <= median && median <= max, variant + ": " + m.group());
        }
    }

    /** What a failing command prints on stderr (its exit code must not be 0). */
    private static String errorOf(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        assertNotEquals(0, code);
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void descriptionsOutOfRangeIsAClearError() {
        String e = errorOf("bench", "generate", "--descriptions", "0");
        assertTrue(e.contains("error:") && e.contains("--descriptions must be between 1 and 64, got 0"), e);
    }

    /**
     * bench machine: the floors follow from the rates it printed (§1: the two head products' 1.74 G multiply-adds ÷
     * the all-core peak), with a row for every workload; and its sizes are checked before any work.
     */
    @Test
    void machineFloorsAreTheWorkOverTheMeasuredRates() {
        String out = outputOf("bench", "machine", "--runs", "1", "--threads", "2", "--fma-steps", "200000",
                "--read-mib", "16");
        Matcher peak = Pattern.compile("operands in registers \\| 2 \\| ([0-9.]+) G FMA/s").matcher(out);
        assertTrue(peak.find(), out);
        Matcher l = Pattern.compile("§1 generation L, its two head products \\| 1\\.74 G FMA \\| ([0-9.]+) ms").matcher(out);
        assertTrue(l.find(), out);
        double expectMs = BenchMachineCommand.GENERATION_L_FMAS / (Double.parseDouble(peak.group(1)) * 1e9) * 1e3;
        assertEquals(expectMs, Double.parseDouble(l.group(1)), 0.051 + 0.01 * expectMs, out);
        assertTrue(out.contains("| memory reads, a 16 MiB array | 2 |"), out);
        assertEquals(4 + 12, out.lines().filter(s -> s.startsWith("| §")).count(), "one row per workload: " + out);
        String e = errorOf("bench", "machine", "--read-mib", "0");
        assertTrue(e.contains("error:") && e.contains("--runs, --fma-steps and --read-mib must be at least 1, got 5,"
                + " 50000000 and 0"), e);
    }

    /** What a succeeding command prints on stdout. */
    private static String outputOf(String... args) {
        PrintStream oldOut = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            code = Main.execute(args);
        } finally {
            System.setOut(oldOut);
        }
        assertEquals(0, code, out.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }
}
