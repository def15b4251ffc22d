package ai.t2l.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The weights of a Hugging Face model folder: {@code model.safetensors}, or the shards listed in
 * {@code model.safetensors.index.json} (its {@code weight_map} maps each tensor name to a shard file).
 */
public final class ModelWeights implements TensorSource {
    private final Path dir;
    private final Map<String, SafetensorsFile> byName;
    private final Map<String, SafetensorsFile> shards;

    private ModelWeights(Path dir, Map<String, SafetensorsFile> byName, Map<String, SafetensorsFile> shards) {
        this.dir = dir;
        this.byName = byName;
        this.shards = shards;
    }

    public static ModelWeights open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new T2lException(dir + ": no such model folder");
        }
        Path single = dir.resolve("model.safetensors");
        Path index = dir.resolve("model.safetensors.index.json");
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        Map<String, SafetensorsFile> byName = new TreeMap<>();
        try {
            if (Files.exists(index)) {
                JsonNode map = Json.read(index).get("weight_map");
                if (map == null || !map.isObject()) {
                    throw new T2lException(index + ": missing object field 'weight_map'");
                }
                for (var it = map.fields(); it.hasNext(); ) {
                    var e = it.next();
                    String shardName = e.getValue().asText();
                    Path shardPath = dir.resolve(shardName).normalize();
                    if (!shardPath.startsWith(dir.normalize()) || shardName.contains("/")) {
                        throw new T2lException(index + ": weight_map entry '" + e.getKey()
                                + "' points outside the model folder: " + shardName);
                    }
                    SafetensorsFile shard = shards.computeIfAbsent(shardName, s -> SafetensorsFile.open(shardPath));
                    if (!shard.contains(e.getKey())) {
                        throw new T2lException(shardPath + ": missing tensor '" + e.getKey()
                                + "' that " + index.getFileName() + " places there");
                    }
                    byName.put(e.getKey(), shard);
                }
            } else if (Files.exists(single)) {
                SafetensorsFile f = SafetensorsFile.open(single);
                shards.put(single.getFileName().toString(), f);
                for (String n : f.names()) {
                    byName.put(n, f);
                }
            } else {
                throw new T2lException(dir + ": no model.safetensors or model.safetensors.index.json"
                        + " (PyTorch .bin weights are not read: convert them to safetensors)");
            }
        } catch (RuntimeException e) {
            shards.values().forEach(SafetensorsFile::close);
            throw e;
        }
        return new ModelWeights(dir, Collections.unmodifiableMap(byName), shards);
    }

    private SafetensorsFile fileOf(String name) {
        SafetensorsFile f = byName.get(name);
        if (f == null) {
            throw new T2lException(dir + ": missing tensor '" + name + "'");
        }
        return f;
    }

    @Override
    public Set<String> names() {
        return byName.keySet();
    }

    @Override
    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    @Override
    public long[] shape(String name) {
        return fileOf(name).shape(name);
    }

    @Override
    public DType dtype(String name) {
        return fileOf(name).entry(name).dtype();
    }

    /** Shard file name (model.safetensors when unsharded) -> the tensor names it holds, sorted. */
    public Map<String, List<String>> shardContents() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        shards.keySet().forEach(k -> out.put(k, new ArrayList<>()));
        byName.forEach((name, f) -> out.get(f.file().getFileName().toString()).add(name));
        return out;
    }

    /** The shard's own {@code __metadata__} (e.g. format=pt). */
    public Map<String, String> shardMetadata(String shardName) {
        SafetensorsFile f = shards.get(shardName);
        if (f == null) {
            throw new T2lException(dir + ": no shard '" + shardName + "'");
        }
        return f.metadata();
    }

    @Override
    public boolean canMap() {
        return true;
    }

    @Override
    public java.nio.ByteBuffer mapBytes(String name, long offset, long length) {
        return fileOf(name).mapBytes(name, offset, length);
    }

    /** Bytes of all shard files (what a memory-mapped model pages in at most). */
    public long fileBytes() {
        long n = 0;
        for (SafetensorsFile f : shards.values()) {
            try {
                n += java.nio.file.Files.size(f.file());
            } catch (java.io.IOException e) {
                throw new T2lException(f.file() + ": cannot read its size: " + e.getMessage(), e);
            }
        }
        return n;
    }

    @Override
    public FloatTensor read(String name) {
        return fileOf(name).read(name);
    }

    @Override
    public String locate(String name) {
        SafetensorsFile f = byName.get(name);
        return f == null ? dir.toString() : f.file().toString();
    }

    @Override
    public String describe() {
        return dir.toString();
    }

    @Override
    public void close() {
        shards.values().forEach(SafetensorsFile::close);
    }
}
