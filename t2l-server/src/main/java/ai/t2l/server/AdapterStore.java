package ai.t2l.server;

import ai.t2l.io.AtomicFiles;
import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraWeights;
import ai.t2l.lora.PeftAdapter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The persistence folder: one PEFT adapter folder per id plus {@code index.json} with the metadata, so a restart
 * knows every adapter without reading its weights. Every path is built from an id that matched
 * {@link AdapterIds#ID}, and is checked to stay inside the folder.
 */
final class AdapterStore {
    static final String INDEX = "index.json";
    private static final Logger LOG = Logger.getLogger(AdapterStore.class.getName());

    private final Path root;
    private final Map<String, AdapterInfo> index = new LinkedHashMap<>();

    AdapterStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.root);
        } catch (IOException e) {
            throw new T2lException("cannot create adapter folder " + this.root + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads the index and returns the adapters of {@code checkpointId} whose folders exist. Entries of another
     * checkpoint stay on disk and in the index but are not served: their shapes may not fit this model.
     */
    synchronized List<AdapterInfo> load(String checkpointId) {
        index.clear();
        Path file = root.resolve(INDEX);
        if (!Files.exists(file)) {
            return List.of();
        }
        JsonNode adapters = Json.read(file).path("adapters");
        List<AdapterInfo> served = new ArrayList<>();
        for (JsonNode n : adapters) {
            String id = n.path("id").asText(null);
            if (!AdapterIds.isValid(id) || !Files.isDirectory(folder(id))) {
                LOG.warning(file + ": skipping entry with invalid id or missing folder: " + n);
                continue;
            }
            AdapterInfo info = new AdapterInfo(id, n.path("description").asText(), n.path("checkpoint").asText(),
                    n.path("created").asLong(), n.path("generation_ms").asLong(), n.path("bytes").asLong());
            index.put(id, info);
            if (info.checkpointId().equals(checkpointId)) {
                served.add(info);
            }
        }
        return served;
    }

    /** Writes the PEFT folder first, then the index, so the index never names a folder that is not complete. */
    synchronized void save(AdapterInfo info, LoraWeights weights, String baseModel) {
        PeftAdapter.write(folder(info.id()), weights, baseModel, info.description(), true);
        index.put(info.id(), info);
        writeIndex();
    }

    LoraWeights read(String id) {
        return PeftAdapter.read(folder(id));
    }

    boolean contains(String id) {
        synchronized (this) {
            return index.containsKey(id);
        }
    }

    /** Removes the index entry first: a crash in between leaves an orphan folder, never a dangling entry. */
    synchronized void delete(String id) {
        Path dir = folder(id);
        if (index.remove(id) != null) {
            writeIndex();
        }
        try {
            AtomicFiles.deleteRecursively(dir);
        } catch (UncheckedIOException e) {
            LOG.warning("could not delete " + dir + ": " + e.getMessage());
        }
    }

    Path folder(String id) {
        AdapterIds.requireValid(id);
        Path dir = root.resolve(id).normalize();
        if (!dir.getParent().equals(root)) {
            throw new IllegalStateException("adapter id " + id + " resolves outside " + root);
        }
        return dir;
    }

    private void writeIndex() {
        ObjectNode doc = Json.MAPPER.createObjectNode();
        doc.put("format", 1);
        ArrayNode list = doc.putArray("adapters");
        for (AdapterInfo a : index.values()) {
            list.addObject()
                    .put("id", a.id())
                    .put("description", a.description())
                    .put("checkpoint", a.checkpointId())
                    .put("created", a.created())
                    .put("generation_ms", a.generationMs())
                    .put("bytes", a.bytes());
        }
        AtomicFiles.writeString(root.resolve(INDEX), Json.write(doc));
    }
}
