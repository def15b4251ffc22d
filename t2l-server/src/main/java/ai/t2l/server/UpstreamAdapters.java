package ai.t2l.server;

import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import java.io.InputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The adapters loaded on the upstream, by our adapter id: each is written once as a PEFT folder under the shared
 * folder and loaded with vLLM's POST /v1/load_lora_adapter; the least recently used beyond the limit is unloaded
 * (POST /v1/unload_lora_adapter). A restarted upstream forgets its adapters: {@link #forget} lets the next use load
 * it again.
 */
final class UpstreamAdapters {
    private static final Logger LOG = Logger.getLogger(UpstreamAdapters.class.getName());
    /** The upstream's adapter names: vLLM accepts any, and our own server refuses names starting "t2l-". */
    static final String NAME_PREFIX = "lora-";

    private final UpstreamClient client;
    private final UpstreamSettings settings;
    private final String baseModel;
    // Access-ordered: iteration starts at the least recently used. Guarded by this.
    private final LinkedHashMap<String, String> loaded = new LinkedHashMap<>(16, 0.75f, true);
    // One loader per id at a time, so concurrent first requests for an adapter load it once.
    private final Map<String, Object> loading = new ConcurrentHashMap<>();

    UpstreamAdapters(UpstreamClient client, UpstreamSettings settings, String baseModel) {
        this.client = client;
        this.settings = settings;
        this.baseModel = baseModel;
    }

    /** The upstream's name for adapter {@code id}, writing and loading {@code weights} there first if needed. */
    String ensureLoaded(String id, LoraWeights weights) {
        String name = loadedName(id);
        if (name != null) {
            return name;
        }
        Object lock = loading.computeIfAbsent(id, k -> new Object());
        synchronized (lock) {
            try {
                return writeAndLoad(id, weights);
            } finally {
                loading.remove(id, lock); // a waiter still holding it finds the adapter loaded (or loads it again)
            }
        }
    }

    private String writeAndLoad(String id, LoraWeights weights) {
        String name = loadedName(id);
        if (name != null) {
            return name; // loaded by the request this one waited for
        }
        name = NAME_PREFIX + safe(id);
        Path dir = settings.adapterDir().resolve(name);
        try {
            // Atomic (temp folder, then rename): the upstream never reads a half-written adapter.
            PeftAdapter.write(dir, weights, settings.model() != null ? settings.model() : baseModel, null, true);
        } catch (T2lException e) {
            throw ApiException.internal("cannot write the adapter for the upstream to " + dir + ": "
                    + e.getMessage());
        }
        load(name, dir);
        List<String> evicted = new ArrayList<>();
        synchronized (this) {
            loaded.put(id, name);
            Iterator<Map.Entry<String, String>> it = loaded.entrySet().iterator();
            while (loaded.size() > settings.maxLoaded() && it.hasNext()) {
                Map.Entry<String, String> lru = it.next();
                evicted.add(lru.getValue());
                it.remove();
            }
        }
        evicted.forEach(this::unloadQuietly);
        return name;
    }

    /** The upstream no longer has {@code id} (it answered 404 for it, e.g. after a restart): load it on next use. */
    synchronized void forget(String id) {
        loaded.remove(id);
    }

    private synchronized String loadedName(String id) {
        return loaded.get(id);
    }

    private void load(String name, Path dir) {
        var body = Exchanges.JSON.createObjectNode().put("lora_name", name).put("lora_path", dir.toString());
        UpstreamClient.Answer a = client.post("/v1/load_lora_adapter", body);
        closeQuietly(a.body());
        // vLLM answers 400 "... has already been loaded." when the name is taken: it is there, which is all we need.
        if (a.status() / 100 == 2 || a.status() == 400 && UpstreamClient.message(a.errorBody()).contains("already")) {
            return;
        }
        throw client.failure("loading adapter " + name + " from " + dir, a);
    }

    private void unloadQuietly(String name) {
        try {
            UpstreamClient.Answer a = client.post("/v1/unload_lora_adapter",
                    Exchanges.JSON.createObjectNode().put("lora_name", name));
            closeQuietly(a.body());
            if (a.status() / 100 != 2 && a.status() != 404) {
                LOG.warning("unloading " + name + " from the upstream: " + client.failure("unload", a).getMessage());
            }
        } catch (ApiException e) {
            LOG.warning("unloading " + name + " from the upstream: " + e.getMessage());
        }
    }

    /** Our ids already fit a folder name; anything else (a --lora name with '/' or ':') is hashed into one. */
    private static String safe(String id) {
        if (AdapterIds.isValid(id)) {
            return id;
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return "named-" + HexFormat.of().formatHex(h, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static void closeQuietly(InputStream in) {
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // nothing to release beyond the connection
            }
        }
    }
}
