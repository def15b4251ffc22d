package ai.t2l.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a GGUF file's metadata and its F32/F16/BF16 tensors (the types {@link GgufWriter} writes): for checking
 * what we export and for {@code t2l inspect}. Every count, length and offset is bounds-checked against the file.
 */
public final class GgufFile {
    /** One tensor: row-major shape (the file's ggml dimensions reversed), ggml type id, absolute data offset. */
    public record TensorInfo(String name, long[] shape, int type, long offset) {}

    private final Path file;
    private final Map<String, Object> metadata;
    private final Map<String, TensorInfo> tensors;

    private GgufFile(Path file, Map<String, Object> metadata, Map<String, TensorInfo> tensors) {
        this.file = file;
        this.metadata = metadata;
        this.tensors = tensors;
    }

    public Map<String, Object> metadata() {
        return metadata;
    }

    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public static GgufFile read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                // the header is what we parse: map its first 2 GiB at most
                size = Integer.MAX_VALUE;
            }
            ByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
            Reader r = new Reader(file, b);
            byte[] magic = r.bytes(4);
            if (!new String(magic, StandardCharsets.US_ASCII).equals("GGUF")) {
                throw new T2lException(file + ": not a GGUF file (magic is not 'GGUF')");
            }
            long version = r.u32();
            if (version != 3 && version != 2) {
                throw new T2lException(file + ": GGUF version " + version + ", expected 2 or 3");
            }
            long nTensors = r.count("tensor count");
            long nKv = r.count("metadata count");
            Map<String, Object> md = new LinkedHashMap<>();
            for (long i = 0; i < nKv; i++) {
                String key = r.string();
                md.put(key, r.value((int) r.u32(), key));
            }
            Map<String, TensorInfo> ts = new LinkedHashMap<>();
            for (long i = 0; i < nTensors; i++) {
                String name = r.string();
                int nd = (int) r.u32();
                if (nd < 1 || nd > 4) {
                    throw new T2lException(file + ": tensor '" + name + "' has " + nd + " dimensions, expected 1 to 4");
                }
                long[] shape = new long[nd];
                for (int d = nd - 1; d >= 0; d--) {
                    shape[d] = r.u64();
                }
                int type = (int) r.u32();
                long off = r.u64();
                ts.put(name, new TensorInfo(name, shape, type, off));
            }
            long alignment = md.get("general.alignment") instanceof Number n ? n.longValue() : GgufWriter.ALIGNMENT;
            long dataStart = (r.position() + alignment - 1) / alignment * alignment;
            Map<String, TensorInfo> abs = new LinkedHashMap<>();
            for (TensorInfo t : ts.values()) {
                TensorInfo a = new TensorInfo(t.name(), t.shape(), t.type(), dataStart + t.offset());
                long bytes = FloatTensor.numel(t.shape()) * width(file, t);
                if (a.offset() + bytes > ch.size()) {
                    throw new T2lException(file + ": tensor '" + t.name() + "' runs past the end of the file");
                }
                abs.put(t.name(), a);
            }
            return new GgufFile(file, Collections.unmodifiableMap(md), Collections.unmodifiableMap(abs));
        } catch (IOException e) {
            throw new T2lException(file + ": cannot read: " + e.getMessage(), e);
        } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new T2lException(file + ": truncated GGUF header");
        }
    }

    private static int width(Path file, TensorInfo t) {
        return switch (t.type()) {
            case 0 -> 4;
            case 1, 30 -> 2;
            default -> throw new T2lException(file + ": tensor '" + t.name() + "' has ggml type " + t.type()
                    + " (only F32, F16 and BF16 are read)");
        };
    }

    /** The tensor widened to float32, row-major. */
    public FloatTensor read(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new T2lException(file + ": missing tensor '" + name + "'");
        }
        int n = Math.toIntExact(FloatTensor.numel(t.shape()));
        int w = width(file, t);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, t.offset(), (long) n * w).order(ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                out[i] = switch (t.type()) {
                    case 0 -> b.getFloat(i * 4);
                    case 1 -> Half.toFloat(b.getShort(i * 2));
                    default -> Float.intBitsToFloat((b.getShort(i * 2) & 0xFFFF) << 16);
                };
            }
            return new FloatTensor(out, t.shape().clone());
        } catch (IOException e) {
            throw new T2lException(file + ": cannot read tensor '" + name + "': " + e.getMessage(), e);
        }
    }

    private static final class Reader {
        private final Path file;
        private final ByteBuffer b;

        Reader(Path file, ByteBuffer b) {
            this.file = file;
            this.b = b;
        }

        long position() {
            return b.position();
        }

        byte[] bytes(int n) {
            byte[] out = new byte[n];
            b.get(out);
            return out;
        }

        long u32() {
            return b.getInt() & 0xFFFFFFFFL;
        }

        long u64() {
            return b.getLong();
        }

        long count(String what) {
            long n = u64();
            if (n < 0 || n > b.remaining()) {
                throw new T2lException(file + ": GGUF " + what + " " + n + " is larger than the file");
            }
            return n;
        }

        String string() {
            long n = count("string length");
            return new String(bytes((int) n), StandardCharsets.UTF_8);
        }

        Object value(int type, String key) {
            return switch (type) {
                case 0, 1 -> (long) (type == 0 ? b.get() & 0xFF : b.get());
                case 2, 3 -> (long) (type == 2 ? b.getShort() & 0xFFFF : b.getShort());
                case 4 -> u32();
                case 5 -> (long) b.getInt();
                case 6 -> b.getFloat();
                case 7 -> b.get() != 0;
                case 8 -> string();
                case 9 -> {
                    int et = (int) u32();
                    long n = count("array length of '" + key + "'");
                    List<Object> l = new ArrayList<>();
                    for (long i = 0; i < n; i++) {
                        l.add(value(et, key));
                    }
                    yield l;
                }
                case 10, 11 -> u64();
                case 12 -> b.getDouble();
                default -> throw new T2lException(file + ": key '" + key + "' has unknown GGUF value type " + type);
            };
        }
    }
}
