package ai.t2l.train;

import java.util.List;

/**
 * Data parallelism without a change of result: a step's batch is cut into {@link #COUNT} shards (halves), each shard's
 * gradient is computed on its own and the shards' gradients are added in shard order. Float addition of two values
 * is commutative, so the sum has the same bits whether one process computes both shards ({@link #local()}) or two
 * processes compute one each and exchange them ({@link GradientPeer}): the miniature's base model trains on both
 * cores with the bytes of a one-process build (MiniatureBuild, issue 14's 30-minute budget).
 */
public interface GradientShards {
    /** Shards per step. Two: one per core of the 2-core machines this is for; the sum below is exact only for two. */
    int COUNT = 2;

    /** The shards this process computes, ascending. */
    int[] own();

    /**
     * Exchanges a step's shard results: {@code mine} holds the flattened gradients of {@link #own()}'s shards, each
     * followed by that shard's loss; returns every shard's, in shard order.
     */
    List<float[]> all(long step, List<float[]> mine);

    /** Whether this process is the one that validates, logs and saves (the other only computes its shard). */
    boolean leads();

    /** Both shards here: one process, the same sums as two. */
    static GradientShards local() {
        return new GradientShards() {
            @Override
            public int[] own() {
                return new int[] {0, 1};
            }

            @Override
            public List<float[]> all(long step, List<float[]> mine) {
                return mine;
            }

            @Override
            public boolean leads() {
                return true;
            }
        };
    }

    /** Element-wise sum of two shards' arrays: a + b, the same bits in whichever process it runs. */
    static float[] sum(List<float[]> shards) {
        if (shards.size() != COUNT || shards.get(0).length != shards.get(1).length) {
            throw new IllegalArgumentException("expected " + COUNT + " shards of one length, found " + shards.size());
        }
        float[] a = shards.get(0);
        float[] b = shards.get(1);
        float[] out = new float[a.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = a[i] + b[i];
        }
        return out;
    }
}
