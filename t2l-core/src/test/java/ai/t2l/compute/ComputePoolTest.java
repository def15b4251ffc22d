package ai.t2l.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.io.T2lException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pool's hand-off (a published range and a generation count, workers that spin and then park): every index
 * runs exactly once, failures in any range reach the caller, and concurrent or nested callers neither mix their
 * ranges nor wait forever. The timeouts catch a lost wake-up (a hang), not slowness.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ComputePoolTest {
    private static final long PARALLEL = 1L << 20; // work above the pool's threshold: split over the threads

    private static void assertEachOnce(AtomicIntegerArray hits) {
        for (int i = 0; i < hits.length(); i++) {
            assertEquals(1, hits.get(i), "index " + i + " ran " + hits.get(i) + " times");
        }
    }

    private static AtomicIntegerArray cover(int total, long weights) {
        AtomicIntegerArray hits = new AtomicIntegerArray(total);
        ComputePool.forRange(total, weights, (b, e) -> {
            for (int i = b; i < e; i++) {
                hits.incrementAndGet(i);
            }
        });
        return hits;
    }

    @Test
    void everyIndexRunsOnceWhetherSplitOrNot() {
        for (int total : new int[] {1, 2, 3, 7, 1000, 14_336}) {
            assertEachOnce(cover(total, PARALLEL));
            assertEachOnce(cover(total, 1));
        }
    }

    /** Many products in a row, with pauses longer and shorter than the spin, as a decode step runs them. */
    @Test
    void manyHandOffsWithPausesBetweenThem() throws InterruptedException {
        for (int k = 0; k < 2_000; k++) {
            assertEachOnce(cover(64 + k % 5, PARALLEL));
            if (k % 100 == 0) {
                Thread.sleep(3); // past the spin: the workers park and must be woken
            }
        }
    }

    @Test
    void aFailureInAnyRangeReachesTheCallerAndThePoolGoesOn() {
        IllegalStateException boom = new IllegalStateException("bad row");
        for (int failing : new int[] {0, 99}) {
            RuntimeException e = assertThrows(RuntimeException.class, () -> ComputePool.forRange(100, PARALLEL,
                    (b, end) -> {
                        if (b <= failing && failing < end) {
                            throw boom;
                        }
                    }));
            assertSame(boom, e);
        }
        // an Error in a worker's range comes back as a T2lException naming it (only when a worker ran that range)
        if (ComputePool.THREADS > 1) {
            T2lException e = assertThrows(T2lException.class, () -> ComputePool.forRange(100, PARALLEL, (b, end) -> {
                if (b > 0) {
                    throw new AssertionError("worker error");
                }
            }));
            assertTrue(e.getMessage().contains("worker error"), e.getMessage());
        }
        assertEachOnce(cover(1000, PARALLEL));
    }

    @Test
    void concurrentCallersEachGetTheirWholeRange() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            List<Future<AtomicIntegerArray>> results = new ArrayList<>();
            for (int c = 0; c < 64; c++) {
                int total = 500 + c;
                results.add(callers.submit(() -> cover(total, PARALLEL)));
            }
            for (Future<AtomicIntegerArray> f : results) {
                assertEachOnce(f.get());
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void aProductInsideARangeRunsOnItsOwnThread() {
        AtomicIntegerArray outer = new AtomicIntegerArray(8);
        AtomicIntegerArray inner = new AtomicIntegerArray(8 * 50);
        ComputePool.forRange(8, PARALLEL, (b, e) -> {
            for (int i = b; i < e; i++) {
                outer.incrementAndGet(i);
                int base = i * 50;
                ComputePool.forRange(50, PARALLEL, (ib, ie) -> {
                    for (int j = ib; j < ie; j++) {
                        inner.incrementAndGet(base + j);
                    }
                });
            }
        });
        assertEachOnce(outer);
        assertEachOnce(inner);
    }
}
