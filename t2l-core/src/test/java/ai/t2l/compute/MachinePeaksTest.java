package ai.t2l.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.io.T2lException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The probes behind {@code t2l bench machine} compute what they claim, and their rates are rates. */
class MachinePeaksTest {
    @Test
    void bothProbesSumTheirRangeTailsIncluded() {
        SplittableRandom rng = new SplittableRandom(5);
        float[] a = new float[1000];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rng.nextDouble(-1, 1);
        }
        for (PeakProbe p : new PeakProbe[] {PeakProbe.PLAIN, PeakProbe.best()}) {
            for (int[] r : new int[][] {{0, 1000}, {3, 997}, {17, 18}, {5, 5}, {1, 130}}) {
                double exact = 0;
                for (int i = r[0]; i < r[1]; i++) {
                    exact += a[i];
                }
                assertEquals(exact, p.sum(a, r[0], r[1]), 1e-4, p.lanes() + " lanes, range " + r[0] + ".." + r[1]);
            }
        }
    }

    /** Every lane of every chain runs the plain probe's chain from the same start, so the sum is lanes × plain's. */
    @Test
    void theVectorChainsAreThePlainChainsInEveryLane() {
        PeakProbe v = PeakProbe.best();
        float plain = PeakProbe.PLAIN.chains(1000, 0.5f);
        assertEquals(v.lanes() * (double) plain, v.chains(1000, 0.5f), 1e-5 * v.lanes() * Math.abs(plain));
        assertTrue(Math.abs(plain - PeakProbe.PLAIN.chains(999, 0.5f)) > 0, "each step changes the chains");
    }

    @Test
    void ratesArePositiveAndFinite() {
        double fma = MachinePeaks.fmaPerSecond(2, 10_000, 3);
        double read = MachinePeaks.readBytesPerSecond(2, 4 << 20, 3);
        assertTrue(fma > 0 && Double.isFinite(fma), "FMA/s " + fma);
        assertTrue(read > 0 && Double.isFinite(read), "bytes/s " + read);
    }

    @Test
    void badSizesAreRefusedByName() {
        T2lException e = assertThrows(T2lException.class, () -> MachinePeaks.fmaPerSecond(0, 10, 1));
        assertTrue(e.getMessage().contains("threads and runs must be at least 1, got 0 and 1"), e.getMessage());
        e = assertThrows(T2lException.class, () -> MachinePeaks.readBytesPerSecond(4, 8, 1));
        assertTrue(e.getMessage().contains("read probe's array must hold between 4 and") && e.getMessage().contains(
                "got 8 bytes"), e.getMessage());
        long tooBig = Runtime.getRuntime().maxMemory() + (64L << 20); // one array can hold up to 8 GiB of floats
        org.junit.jupiter.api.Assumptions.assumeTrue(tooBig < 7L << 30, "a heap this large fits any one array");
        e = assertThrows(T2lException.class, () -> MachinePeaks.readBytesPerSecond(1, tooBig, 1));
        assertTrue(e.getMessage().contains("does not fit") && e.getMessage().contains("of Java heap"), e.getMessage());
    }
}
