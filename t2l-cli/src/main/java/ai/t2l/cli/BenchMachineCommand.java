package ai.t2l.cli;

import ai.t2l.compute.MachinePeaks;
import ai.t2l.io.T2lException;
import ai.t2l.model.ModelConfig;
import ai.t2l.model.RandomModelFolder;
import ai.t2l.model.RealShapes;
import ai.t2l.model.Transformer;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code t2l bench machine}: this machine's float32 multiply-add peak and memory read rate, measured, and from them
 * the floor of each workload of BENCHMARKS-WORKLOADS.md here, beside the targets of issues 15 and 16. The workloads'
 * floors in that file assume its machine's 300 GFLOP/s and 23 GB/s; a 2-core VM without AVX-512 has far less, and
 * whether a target is reachable on the machine at hand is this table's last column.
 */
@Command(name = "machine", mixinStandardHelpOptions = true,
        description = "This machine's measured float32 peak and memory read rate, and each workload's floor here.")
public final class BenchMachineCommand implements Callable<Integer> {
    @Option(names = "--runs", defaultValue = "5",
            description = "timed runs per measure, median (default ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--threads", defaultValue = "0",
            description = "threads of the all-core measures (default: all cores)")
    int threads;

    @Option(names = "--fma-steps", defaultValue = "50000000",
            description = "rounds of 12 multiply-add chains per thread and run (default ${DEFAULT-VALUE})")
    long fmaSteps;

    @Option(names = "--read-mib", defaultValue = "1024",
            description = "size of the array the read rate streams, MiB; many times the last-level cache"
                    + " (default ${DEFAULT-VALUE})")
    int readMib;

    /** §1: the Mistral-7B target's q (4096 → 4096) and v (4096 → 1024) over 32 layers, rank 8, head input 512. */
    static final double GENERATION_L_FMAS = 32.0 * 512 * 8 * ((4096 + 4096) + (4096 + 1024));

    /** int8 bytes per weight: 32 signed values and one float32 scale per block (Int8Matrix). */
    static final double INT8_BYTES = (32 + 4) / 32.0;

    @Override
    public Integer call() {
        if (runs < 1 || fmaSteps < 1 || readMib < 1) {
            throw new T2lException("--runs, --fma-steps and --read-mib must be at least 1, got " + runs + ", "
                    + fmaSteps + " and " + readMib);
        }
        if (readMib > 8191) {
            throw new T2lException("--read-mib must be at most 8191 (one Java array of floats), got " + readMib);
        }
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        System.out.printf(Locale.ROOT, "machine: %s, %d cores seen by Java; Java %s; kernels: %s; engine: %s;"
                + " load average %s%n", MachineLoad.cpuinfo("model name", "unknown CPU"),
                Runtime.getRuntime().availableProcessors(), Runtime.version(), MachinePeaks.instructions(),
                MachineLoad.mklDispatch(), MachineLoad.loadAverage());
        double read = MachinePeaks.readBytesPerSecond(n, (long) readMib << 20, runs); // first: it can be refused
        double fma1 = MachinePeaks.fmaPerSecond(1, fmaSteps, runs);
        double fma = n == 1 ? fma1 : MachinePeaks.fmaPerSecond(n, fmaSteps, runs);
        System.out.printf(Locale.ROOT, "| measure | threads | median of %d |%n|---|---|---|%n", runs);
        peakRow(1, fma1);
        peakRow(n, fma);
        System.out.printf(Locale.ROOT, "| memory reads, a %d MiB array | %d | %.1f GB/s |%n", readMib, n, read / 1e9);
        System.out.println();
        printFloors(fma, read);
        return 0;
    }

    /** The floors table: each workload's work ÷ the rate that bounds it, and the share of it a target needs. */
    static void printFloors(double fma, double read) {
        System.out.printf(Locale.ROOT, "Floors here (work ÷ the rates above; BENCHMARKS-WORKLOADS.md's assume 150 G"
                + " FMA/s and 23 GB/s). A target that needs more than 100%% cannot be met on this machine:%n");
        System.out.println("| workload | work | floor here | target | the target needs |");
        System.out.println("|---|---|---|---|---|");
        double l = GENERATION_L_FMAS / fma;
        row("§1 generation L, its two head products", gfma(GENERATION_L_FMAS) + " FMA", ms(l), "≤ 24 ms (issue 16)",
                share(l / 0.024, "the FMA peak in the heads alone"));
        ModelConfig s2 = ModelConfig.parse(RandomModelFolder.llamaConfig(32000, 768, 12, 12, 4, 2048), "§2 model");
        double s2Params = streamedParams(s2); // the layers and the LM head (untied)
        double layerFmas = s2Params - (double) s2.vocabSize() * s2.hiddenSize();
        double prefill = fma / layerFmas;
        row("§2 prefill, the layers' products", gfma(layerFmas) + " FMA a token", rate(prefill, "tok/s"),
                "≥ 1,500 tok/s (issue 16)", share(1500 / prefill, "the FMA peak"));
        double b1 = read / (4 * s2Params);
        row("§2 decode batch 1, float32", gb(4 * s2Params) + " read a token", rate(b1, "tok/s"),
                "≥ 36 tok/s with LoRA (issue 16)", share(36 / b1, "the read rate"));
        double b8 = 8 / Math.max(4 * s2Params / read, 8 * s2Params / fma);
        row("§2 decode batch 8, float32", gb(4 * s2Params) + " read, " + gfma(8 * s2Params) + " FMA a step",
                rate(b8, "tok/s"), "≥ 190 tok/s (issue 16)", share(190 / b8, "the slower of the two rates"));
        for (String shape : RealShapes.NAMES) {
            ModelConfig c = ModelConfig.parse(RealShapes.config(shape), shape);
            double params = streamedParams(c);
            for (String weights : new String[] {"bf16", "int8"}) {
                double bytes = params * (weights.equals("bf16") ? 2 : INT8_BYTES);
                double shapeB1 = read / bytes;
                double target = 0.8 * 23e9 / bytes; // issue 15's floor is the bytes ÷ 23 GB/s, whatever the machine
                row("§4 " + shape + " " + weights + " decode batch 1", gb(bytes) + " read a token",
                        rate(shapeB1, "tok/s"), "≥ " + rate(target, "tok/s") + " (issue 15: 80% of bytes ÷ 23 GB/s)",
                        share(target / shapeB1, "the read rate"));
                // 4 × batch 1 depends on batch 1's own speed: the least the issue lets it be, and this machine's
                double shapeB8 = 8 / Math.max(bytes / read, 8 * params / fma);
                row("§4 " + shape + " " + weights + " decode batch 8", gfma(8 * params) + " FMA a step",
                        rate(shapeB8, "tok/s"), "≥ 4 × batch 1 (issue 15)",
                        share(4 * target * params / fma, "the FMA peak with batch 1 at the least the issue allows")
                                + ", " + share(4 * shapeB1 * params / fma, "it with batch 1 at the read rate"));
            }
        }
    }

    /**
     * Weights a decode step reads: every matrix but an untied embedding, which only gives rows (tied: it is the LM
     * head too).
     */
    static double streamedParams(ModelConfig c) {
        long all = Transformer.sizeStoredHalf(c).matrixParams();
        return c.tieWordEmbeddings() ? all : all - (double) c.vocabSize() * c.hiddenSize();
    }

    private static void peakRow(int threads, double fma) {
        System.out.printf(Locale.ROOT, "| float32 multiply-adds, operands in registers | %d | %.1f G FMA/s"
                + " (%.0f GFLOP/s) |%n", threads, fma / 1e9, 2 * fma / 1e9);
    }

    private static void row(String workload, String work, String floor, String target, String needs) {
        System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", workload, work, floor, target, needs);
    }

    private static String share(double fraction, String of) {
        return String.format(Locale.ROOT, "%.0f%% of %s", 100 * fraction, of);
    }

    private static String gfma(double fmas) {
        return fmas >= 1e9 ? String.format(Locale.ROOT, "%.2f G", fmas / 1e9)
                : String.format(Locale.ROOT, "%.1f M", fmas / 1e6);
    }

    private static String gb(double bytes) {
        return bytes >= 1e9 ? String.format(Locale.ROOT, "%.2f GB", bytes / 1e9)
                : String.format(Locale.ROOT, "%.0f MB", bytes / 1e6);
    }

    private static String ms(double seconds) {
        return String.format(Locale.ROOT, "%.1f ms", 1e3 * seconds);
    }

    private static String rate(double perSecond, String unit) {
        return String.format(Locale.ROOT, perSecond >= 100 ? "%,.0f %s" : "%.2f %s", perSecond, unit);
    }
}
