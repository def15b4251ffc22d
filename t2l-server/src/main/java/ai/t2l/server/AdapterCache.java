package ai.t2l.server;

import ai.t2l.lora.LoraWeights;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Generated adapters keyed by id (normalised description + checkpoint). Weights live in memory within a byte budget
 * (float32 size, least recently used evicted first). With a store, every adapter is also on disk: eviction only
 * drops the weights from memory and the next use reads them back; without one, eviction forgets the adapter.
 * Concurrent requests for the same new description share one generation.
 */
final class AdapterCache {
    /** An adapter ready to use: {@code weights} stays valid for the caller even if the cache evicts it meanwhile. */
    record Adapter(AdapterInfo info, LoraWeights weights, boolean cached) {}

    private final AdapterGenerator generator;
    private final long budgetBytes;
    private final AdapterStore store; // null: memory only
    private final Gate generations;
    private final Metrics metrics;

    private final Map<String, AdapterInfo> known = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Adapter>> inFlight = new ConcurrentHashMap<>();
    // Access-ordered: iteration starts at the least recently used entry.
    private final LinkedHashMap<String, LoraWeights> resident = new LinkedHashMap<>(16, 0.75f, true);
    private long residentBytes;

    AdapterCache(AdapterGenerator generator, long budgetBytes, AdapterStore store, Gate generations, Metrics metrics) {
        if (budgetBytes <= 0) {
            throw new IllegalArgumentException("cache budget must be positive, got " + budgetBytes + " bytes");
        }
        this.generator = generator;
        this.budgetBytes = budgetBytes;
        this.store = store;
        this.generations = generations;
        this.metrics = metrics;
        if (store != null) {
            store.load(generator.checkpointId()).forEach(info -> known.put(info.id(), info));
        }
    }

    static long bytesOf(LoraWeights w) {
        return w.numel() * Float.BYTES;
    }

    /** Returns the adapter for a (raw) description, generating it unless known. */
    Adapter obtain(String normalizedDescription) {
        String id = AdapterIds.idFor(normalizedDescription, generator.checkpointId());
        Optional<Adapter> hit = lookup(id);
        if (hit.isPresent()) {
            metrics.cacheHit();
            return hit.get();
        }
        CompletableFuture<Adapter> mine = new CompletableFuture<>();
        CompletableFuture<Adapter> running = inFlight.putIfAbsent(id, mine);
        if (running != null) {
            metrics.cacheHit(); // another request is generating it: share its result
            return join(running);
        }
        try {
            metrics.cacheMiss();
            mine.complete(generate(id, normalizedDescription));
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
        } finally {
            inFlight.remove(id);
        }
        return join(mine);
    }

    /** The adapter with this id, its weights read back from the store when they were evicted from memory. */
    Optional<Adapter> lookup(String id) {
        AdapterInfo info = known.get(id);
        if (info == null) {
            return Optional.empty();
        }
        LoraWeights w;
        synchronized (this) {
            w = resident.get(id);
        }
        if (w == null) {
            if (store == null) {
                return Optional.empty();
            }
            w = store.read(id);
            keep(id, w);
        }
        return Optional.of(new Adapter(info, w, true));
    }

    Optional<AdapterInfo> info(String id) {
        return Optional.ofNullable(known.get(id));
    }

    /** Oldest first. */
    List<AdapterInfo> list() {
        List<AdapterInfo> all = new ArrayList<>(known.values());
        all.sort(Comparator.comparingLong(AdapterInfo::created).thenComparing(AdapterInfo::id));
        return all;
    }

    boolean delete(String id) {
        AdapterInfo removed = known.remove(id);
        synchronized (this) {
            LoraWeights w = resident.remove(id);
            if (w != null) {
                residentBytes -= bytesOf(w);
            }
        }
        if (store != null) {
            store.delete(id);
        }
        return removed != null;
    }

    AdapterStore store() {
        return store;
    }

    long budgetBytes() {
        return budgetBytes;
    }

    synchronized long residentBytes() {
        return residentBytes;
    }

    synchronized int residentCount() {
        return resident.size();
    }

    int knownCount() {
        return known.size();
    }

    private Adapter generate(String id, String description) {
        LoraWeights w;
        long ms;
        try (Gate.Permit ignored = generations.enter()) {
            long t0 = System.nanoTime();
            w = generator.generate(description);
            ms = (System.nanoTime() - t0) / 1_000_000;
            metrics.adapterGenerated(ms);
        }
        long bytes = bytesOf(w);
        if (bytes > budgetBytes) {
            throw ApiException.internal("the generated adapter needs " + bytes + " bytes but the whole adapter cache"
                    + " budget is " + budgetBytes + " bytes; start the server with a larger cache budget");
        }
        AdapterInfo info = new AdapterInfo(id, description, generator.checkpointId(), Instant.now().getEpochSecond(),
                ms, bytes);
        if (store != null) {
            store.save(info, w, generator.peftBaseModel());
        }
        keep(id, w);
        known.put(id, info);
        return new Adapter(info, w, false);
    }

    private synchronized void keep(String id, LoraWeights w) {
        LoraWeights old = resident.put(id, w);
        if (old != null) {
            residentBytes -= bytesOf(old);
        }
        residentBytes += bytesOf(w);
        Iterator<Map.Entry<String, LoraWeights>> lru = resident.entrySet().iterator();
        while (residentBytes > budgetBytes && lru.hasNext()) {
            Map.Entry<String, LoraWeights> e = lru.next();
            if (e.getKey().equals(id)) {
                continue; // the one just added fits the budget on its own (checked in generate)
            }
            residentBytes -= bytesOf(e.getValue());
            lru.remove();
            metrics.eviction();
            if (store == null) {
                known.remove(e.getKey());
            }
        }
    }

    private static Adapter join(CompletableFuture<Adapter> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }
}
