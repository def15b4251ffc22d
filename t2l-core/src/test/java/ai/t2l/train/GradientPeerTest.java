package ai.t2l.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ai.t2l.io.AtomicFiles;
import ai.t2l.io.T2lException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two processes of a sharded step, played here by two threads over the same loopback socket. */
class GradientPeerTest {
    @TempDir
    Path tmp;

    @Test
    void bothSidesGetBothShardsInShardOrder() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Path r = tmp.resolve("peer.json");
            CompletableFuture<GradientPeer> follower = CompletableFuture.supplyAsync(() -> GradientPeer.follow(r, 30_000));
            try (GradientPeer leader = GradientPeer.lead(r, 30_000, () -> true); GradientPeer f = follower.get()) {
                assertTrue(leader.leads());
                assertFalse(f.leads());
                assertArrayEquals(new int[] {0}, leader.own());
                assertArrayEquals(new int[] {1}, f.own());
                for (long step = 1; step <= 3; step++) {
                    float[] a = {step, 2, 3, Float.NaN};
                    float[] b = {-step, 5, 6, 7};
                    long s = step;
                    CompletableFuture<List<float[]>> other = CompletableFuture.supplyAsync(() -> f.all(s, List.of(b)));
                    List<float[]> here = leader.all(step, List.of(a));
                    List<float[]> there = other.get();
                    for (List<float[]> got : List.of(here, there)) {
                        assertEquals(2, got.size());
                        assertArrayEquals(a, got.get(0), 0f);
                        assertArrayEquals(b, got.get(1), 0f);
                    }
                }
            }
            assertFalse(Files.exists(r), "the leader removes its rendezvous file");
        });
    }

    @Test
    void aStaleRendezvousIsNotMistakenForTheLeader() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Path r = tmp.resolve("peer.json");
            // an earlier leader's file: a port nobody (or somebody else) listens on, and a token nobody knows
            AtomicFiles.writeString(r, "{\"port\": 1, \"token\": \"00112233445566778899aabbccddeeff\"}");
            CompletableFuture<GradientPeer> follower = CompletableFuture.supplyAsync(() -> GradientPeer.follow(r, 30_000));
            Thread.sleep(300); // the follower tries the stale file first
            try (GradientPeer leader = GradientPeer.lead(r, 30_000, () -> true); GradientPeer f = follower.get()) {
                CompletableFuture<List<float[]>> other = CompletableFuture.supplyAsync(() -> f.all(1, List.of(new float[] {2})));
                assertArrayEquals(new float[] {3}, GradientShards.sum(leader.all(1, List.of(new float[] {1}))), 0f);
                assertArrayEquals(new float[] {3}, GradientShards.sum(other.get()), 0f);
            }
        });
    }

    @Test
    void aFollowerThatEndsStopsTheLeaderInsteadOfAHang() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Path r = tmp.resolve("peer.json");
            T2lException e = assertThrows(T2lException.class, () -> GradientPeer.lead(r, 600_000, () -> false));
            assertTrue(e.getMessage().contains("ended before it connected"), e.getMessage());
            assertFalse(Files.exists(r));

            CompletableFuture<GradientPeer> follower = CompletableFuture.supplyAsync(() -> GradientPeer.follow(r, 30_000));
            try (GradientPeer leader = GradientPeer.lead(r, 30_000, () -> true)) {
                follower.get().close(); // the follower's process dies
                e = assertThrows(T2lException.class, () -> leader.all(7, List.of(new float[1 << 16])));
                assertTrue(e.getMessage().contains("step 7") && e.getMessage().contains("stopped"), e.getMessage());
            }
        });
    }

    @Test
    void sidesOutOfStepAreNamed() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Path r = tmp.resolve("peer.json");
            CompletableFuture<GradientPeer> follower = CompletableFuture.supplyAsync(() -> GradientPeer.follow(r, 30_000));
            try (GradientPeer leader = GradientPeer.lead(r, 30_000, () -> true)) {
                GradientPeer f = follower.get();
                CompletableFuture<List<float[]>> there = CompletableFuture.supplyAsync(() -> f.all(5, List.of(new float[2])));
                CompletableFuture<List<float[]>> here = CompletableFuture.supplyAsync(() -> leader.all(4, List.of(new float[2])));
                Throwable e = assertThrows(ExecutionException.class, there::get).getCause();
                assertTrue(e instanceof T2lException && e.getMessage().contains("out of step")
                        && e.getMessage().contains("here step 5") && e.getMessage().contains("there step 4"), e.toString());
                f.close(); // the follower's process ends with that error
                e = assertThrows(ExecutionException.class, here::get).getCause();
                assertTrue(e instanceof T2lException && e.getMessage().contains("stopped"), e.toString());
            }
        });
    }

    @Test
    void noLeaderMeansAClearErrorAfterTheWait() {
        T2lException e = assertThrows(T2lException.class, () -> GradientPeer.follow(tmp.resolve("none.json"), 300));
        assertTrue(e.getMessage().contains("none.json") && e.getMessage().contains("did not open"), e.getMessage());
    }
}
