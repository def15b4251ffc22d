package ai.t2l.io;

import ai.t2l.io.SafeUnpickler.StorageRef;
import ai.t2l.io.SafeUnpickler.TensorRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * A PyTorch zip checkpoint ({@code torch.save(state_dict)}, e.g. the reference's {@code hypermod.pt}) read safely:
 * {@code <prefix>/data.pkl} goes through {@link SafeUnpickler}, storages are read from {@code <prefix>/data/<key>}
 * as little-endian float32. The prefix is whatever single top folder the archive has (torch 1.13 writes the file
 * stem, newer torch writes {@code archive/}). Tensor views (offset, size, stride) are copied out contiguously.
 */
public final class TorchCheckpoint implements TensorSource {
    /** A state dict's pickle is a few KiB per tensor; anything this large is not one. */
    private static final long MAX_PICKLE_BYTES = 64L << 20;

    /** One state-dict entry as the pickle describes it. */
    public record Entry(String key, String storageClass, long[] shape) {}

    private final Path file;
    private final ZipFile zip;
    private final String prefix;
    private final Map<String, TensorRef> tensors;
    private final Map<String, float[]> storages = new HashMap<>();

    private TorchCheckpoint(Path file, ZipFile zip, String prefix, Map<String, TensorRef> tensors) {
        this.file = file;
        this.zip = zip;
        this.prefix = prefix;
        this.tensors = tensors;
    }

    /** Opens the archive and runs its pickle; no tensor data is read yet. */
    public static TorchCheckpoint open(Path file) {
        if (!Files.exists(file)) {
            throw new T2lException(file + ": no such file");
        }
        InputFiles.requireRegular(file);
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new T2lException(file + ": not a PyTorch zip checkpoint (" + e.getMessage()
                    + "); legacy non-zip torch.save files are not supported");
        } catch (IOException e) {
            throw new T2lException(file + ": cannot open: " + e.getMessage(), e);
        }
        try {
            String prefix = findPrefix(file, zip);
            ZipEntry pkl = zip.getEntry(prefix + "data.pkl");
            byte[] bytes = readEntry(file, zip, pkl, MAX_PICKLE_BYTES);
            Object root = SafeUnpickler.load(bytes, file + " (" + pkl.getName() + ")");
            return new TorchCheckpoint(file, zip, prefix, stateDict(file, root));
        } catch (RuntimeException e) {
            closeQuietly(zip);
            throw e;
        }
    }

    /** Reads every tensor, in file order. */
    public static Map<String, FloatTensor> readAll(Path file) {
        try (TorchCheckpoint c = open(file)) {
            Map<String, FloatTensor> out = new LinkedHashMap<>();
            for (String k : c.tensors.keySet()) {
                out.put(k, c.read(k));
            }
            return out;
        }
    }

    private static String findPrefix(Path file, ZipFile zip) {
        List<String> found = new ArrayList<>();
        zip.stream().map(ZipEntry::getName).filter(n -> n.equals("data.pkl") || n.endsWith("/data.pkl"))
                .forEach(found::add);
        if (found.size() != 1) {
            throw new T2lException(file + ": expected exactly one data.pkl in the archive, found " + found.size()
                    + (found.isEmpty() ? " (not a torch.save checkpoint?)" : " " + found));
        }
        String n = found.get(0);
        return n.substring(0, n.length() - "data.pkl".length());
    }

    private static Map<String, TensorRef> stateDict(Path file, Object root) {
        if (!(root instanceof Map<?, ?> m)) {
            throw new T2lException(file + ": the pickle holds " + (root == null ? "None" : root.getClass().getSimpleName())
                    + ", expected a state dict (OrderedDict of tensors)");
        }
        Map<String, TensorRef> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getKey() instanceof String k)) {
                throw new T2lException(file + ": state dict key " + e.getKey() + " is not a string");
            }
            if (!(e.getValue() instanceof TensorRef t)) {
                throw new T2lException(file + ": state dict entry '" + k + "' is not a tensor");
            }
            out.put(k, t);
        }
        return out;
    }

    public Path file() {
        return file;
    }

    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        tensors.forEach((k, t) -> out.add(new Entry(k, t.storage().storageClass(), t.size().clone())));
        return Collections.unmodifiableList(out);
    }

    @Override
    public java.util.Set<String> names() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    @Override
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    @Override
    public long[] shape(String name) {
        return ref(name).size().clone();
    }

    @Override
    public String describe() {
        return file.toString();
    }

    @Override
    public FloatTensor read(String name) {
        TensorRef t = ref(name);
        StorageRef s = t.storage();
        if (!s.storageClass().equals("FloatStorage")) {
            throw new T2lException(file + ": tensor '" + name + "' is stored as torch." + s.storageClass()
                    + "; only float32 (FloatStorage) checkpoints are supported");
        }
        float[] storage = storages.get(s.key());
        if (storage == null) {
            storage = readStorage(s);
            storages.put(s.key(), storage);
        }
        return Finite.require(view(name, t, storage), file + ": tensor '" + name + "'");
    }

    private TensorRef ref(String name) {
        TensorRef t = tensors.get(name);
        if (t == null) {
            throw new T2lException(file + ": no tensor '" + name + "'");
        }
        return t;
    }

    private float[] readStorage(StorageRef s) {
        String entryName = prefix + "data/" + s.key();
        ZipEntry e = zip.getEntry(entryName);
        if (e == null) {
            throw new T2lException(file + ": storage '" + s.key() + "' is missing (no entry " + entryName + ")");
        }
        long bytes = s.numel() * 4;
        if (s.numel() > Integer.MAX_VALUE - 8) {
            throw new T2lException(file + ": storage '" + s.key() + "' claims " + s.numel()
                    + " floats, more than one Java array can hold");
        }
        // The zip directory's size is checked before allocating, so a lying numel cannot cause a huge allocation.
        if (e.getSize() >= 0 && e.getSize() < bytes) {
            throw new T2lException(file + ": storage '" + s.key() + "' holds " + e.getSize() + " bytes, expected "
                    + bytes + " (" + s.numel() + " float32 values); the file is truncated or corrupt");
        }
        byte[] raw = readEntry(file, zip, e, bytes);
        if (raw.length < bytes) {
            throw new T2lException(file + ": storage '" + s.key() + "' ended after " + raw.length + " bytes, expected "
                    + bytes + "; the file is truncated or corrupt");
        }
        float[] out = new float[(int) s.numel()];
        ByteBuffer.wrap(raw, 0, (int) bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    private FloatTensor view(String name, TensorRef t, float[] storage) {
        long[] size = t.size();
        long[] stride = t.stride();
        String what = file + ": tensor '" + name + "' (offset " + t.offset() + ", size " + Arrays.toString(size)
                + ", stride " + Arrays.toString(stride) + ")";
        if (t.offset() < 0) {
            throw new T2lException(what + " has a negative storage offset");
        }
        long numel = 1;
        long last = t.offset();
        boolean empty = false;
        try {
            // Math.*Exact: a crafted size or stride must not wrap around to an in-bounds index or a negative length
            for (int i = 0; i < size.length; i++) {
                if (size[i] < 0 || stride[i] < 0) {
                    throw new T2lException(what + ": negative sizes and strides are invalid");
                }
                numel = Math.multiplyExact(numel, size[i]);
                empty |= size[i] == 0;
                if (size[i] > 0) {
                    last = Math.addExact(last, Math.multiplyExact(size[i] - 1, stride[i]));
                }
            }
        } catch (ArithmeticException e) {
            throw new T2lException(what + " overflows a 64-bit element index; the file is corrupt or malicious");
        }
        if (empty) {
            return new FloatTensor(new float[0], size.clone());
        }
        if (last >= storage.length) {
            throw new T2lException(what + " reaches element " + last + " of a storage of " + storage.length);
        }
        // A view with more elements than its storage repeats values through a zero stride (torch's expand). A state
        // dict has no reason to hold one, and copying it out would let a few bytes of file claim gigabytes of heap.
        if (numel > storage.length) {
            throw new T2lException(what + " has " + numel + " elements but its storage holds only " + storage.length
                    + " (zero-stride or overlapping views are not read)");
        }
        int n = (int) FloatTensor.numel(size);
        float[] out = new float[n];
        long[] idx = new long[size.length];
        for (int k = 0; k < n; k++) {
            long src = t.offset();
            for (int d = 0; d < size.length; d++) {
                src += idx[d] * stride[d];
            }
            out[k] = storage[(int) src];
            for (int d = size.length - 1; d >= 0; d--) { // odometer over the row-major index
                if (++idx[d] < size[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return new FloatTensor(out, size.clone());
    }

    private static byte[] readEntry(Path file, ZipFile zip, ZipEntry e, long max) {
        if (e.getSize() > max) {
            throw new T2lException(file + ": archive entry " + e.getName() + " is " + e.getSize()
                    + " bytes, more than the " + max + " expected");
        }
        try (InputStream is = zip.getInputStream(e)) {
            return is.readNBytes((int) Math.min(max, Integer.MAX_VALUE - 8));
        } catch (IOException ex) {
            throw new T2lException(file + ": cannot read archive entry " + e.getName() + ": " + ex.getMessage(), ex);
        }
    }

    private static void closeQuietly(ZipFile zip) {
        try {
            zip.close();
        } catch (IOException ignored) {
            // already failing
        }
    }

    @Override
    public void close() {
        closeQuietly(zip);
        storages.clear();
    }
}
