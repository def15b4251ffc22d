package ai.t2l.server;

import ai.t2l.io.FloatTensor;
import ai.t2l.lora.LoraConfig;
import ai.t2l.lora.LoraWeights;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Deterministic stand-in for the hypernetwork: weights seeded by the description, q_proj and v_proj on every layer.
 * Size per adapter = layers * 2 modules * (r*dim + dim*r) floats.
 */
final class FakeGenerator implements AdapterGenerator {
    static final String BASE = "fake-llama";

    final AtomicInteger calls = new AtomicInteger();
    private final String checkpoint;
    private final int layers;
    private final int dim;
    private final int rank;
    volatile CountDownLatch gate; // when set, generate() waits for it (to hold a generation in flight)
    final CountDownLatch entered = new CountDownLatch(1); // opens when the first generate() call has begun
    volatile long delayMs; // pretend the hypernetwork takes this long

    FakeGenerator() {
        this("ckpt-a", 2, 8, 2);
    }

    FakeGenerator(String checkpoint, int layers, int dim, int rank) {
        this.checkpoint = checkpoint;
        this.layers = layers;
        this.dim = dim;
        this.rank = rank;
    }

    long bytesPerAdapter() {
        return (long) layers * 2 * (2L * rank * dim) * Float.BYTES;
    }

    @Override
    public String checkpointId() {
        return checkpoint;
    }

    @Override
    public String baseModelName() {
        return BASE;
    }

    @Override
    public LoraWeights generate(String description) {
        calls.incrementAndGet();
        entered.countDown();
        CountDownLatch g = gate;
        if (g != null) {
            try {
                if (!g.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("test gate never opened");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        if (delayMs > 0) {
            try {
                Thread.sleep(delayMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        if (description.contains("REJECT")) {
            throw new IllegalArgumentException("the fake generator rejects descriptions containing REJECT");
        }
        return weightsFor(description);
    }

    LoraWeights weightsFor(String description) {
        Random rnd = new Random(description.hashCode() * 31L + checkpoint.hashCode());
        Map<LoraWeights.Site, LoraWeights.Pair> pairs = new LinkedHashMap<>();
        for (int l = 0; l < layers; l++) {
            for (String m : List.of("q_proj", "v_proj")) {
                pairs.put(new LoraWeights.Site(l, m), new LoraWeights.Pair(
                        tensor(rnd, rank, dim), tensor(rnd, dim, rank)));
            }
        }
        return new LoraWeights(new LoraConfig(rank, 16, true, 0.05, List.of("q_proj", "v_proj")), pairs);
    }

    private static FloatTensor tensor(Random rnd, int rows, int cols) {
        float[] d = new float[rows * cols];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) rnd.nextGaussian();
        }
        return new FloatTensor(d, new long[] {rows, cols});
    }
}
