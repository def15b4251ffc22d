package ai.t2l.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * Times several measures of one process in rounds, A B C A B C, rather than all of A's runs, then all of B's: a
 * process's first measures run slow whatever they are (BENCHMARKS.md, issue 16, fourteenth session: base prefill
 * 770–816 tok/s when measured first, 1,080–1,117 after a round of decode measures), and these machines drift by
 * ±15% between minutes, so back-to-back blocks charged both to whichever measure came first. Warm-up rounds run
 * every measure before any is timed.
 */
final class InterleavedRuns {
    /** One measure: its label for progress lines and what one run returns (a rate, e.g. tokens/s). */
    record Measure(String label, DoubleSupplier run) {}

    private InterleavedRuns() {}

    /**
     * {@code warmup} untimed rounds, then {@code runs} timed ones: {@code values[k][r]} is measure k's value in timed
     * round r, in round order, so that callers can pair two measures of one round (taken in the same minutes). With a
     * progress stream, a line per timed run (on a real model shape a run takes seconds to minutes).
     */
    static double[][] time(List<Measure> measures, int warmup, int runs, PrintStream progress) {
        for (int w = 0; w < warmup; w++) {
            for (Measure m : measures) {
                m.run().getAsDouble();
            }
        }
        double[][] values = new double[measures.size()][runs];
        for (int r = 0; r < runs; r++) {
            for (int k = 0; k < measures.size(); k++) {
                values[k][r] = measures.get(k).run().getAsDouble();
                if (progress != null) {
                    progress.printf("  round %d/%d  %-44s %8.2f%n", r + 1, runs, measures.get(k).label(), values[k][r]);
                    progress.flush();
                }
            }
        }
        return values;
    }

    /** A sorted copy of one measure's values (min first). */
    static double[] sorted(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v;
    }
}
